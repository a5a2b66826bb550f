//! The one random-number set-up of the library: every random draw (bootstrap
//! resamples, permutations, simulated matrices, calibration's tuning split)
//! comes from ChaCha8 keyed by the user's seed and a [`Purpose`], on a
//! numbered stream. So the same seed gives the same numbers whichever thread
//! asks and in whatever order, and two purposes never share numbers.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// What a stream of random numbers is for (part of its key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum Purpose {
    /// Bootstrap resamples (stream = resample index).
    Bootstrap = 1,
    /// Permutation tests (stream = benchmark index).
    Permutation = 2,
    /// Simulated matrices (stream = parameters, latent traits, then one per column).
    Simulation = 3,
    /// The fit/report split of calibration's temperature tuning.
    CalibrationSplit = 4,
    /// Outcomes of a perfectly calibrated model (calibration's noise floor).
    NoiseFloor = 5,
}

/// The random stream `index` of `purpose` under `seed`.
pub fn stream_rng(seed: u64, purpose: Purpose, index: u64) -> ChaCha8Rng {
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    key[8..16].copy_from_slice(&(purpose as u64).to_le_bytes());
    let mut rng = ChaCha8Rng::from_seed(key);
    rng.set_stream(index);
    rng
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    #[test]
    fn purposes_and_streams_differ_and_repeat() {
        let draw = |p, i| stream_rng(7, p, i).random::<u64>();
        assert_eq!(draw(Purpose::Bootstrap, 3), draw(Purpose::Bootstrap, 3));
        assert_ne!(draw(Purpose::Bootstrap, 3), draw(Purpose::Bootstrap, 4));
        assert_ne!(draw(Purpose::Bootstrap, 0), draw(Purpose::Permutation, 0));
        assert_ne!(
            draw(Purpose::Simulation, 0),
            draw(Purpose::CalibrationSplit, 0)
        );
        assert_ne!(
            stream_rng(1, Purpose::Simulation, 0).random::<u64>(),
            stream_rng(2, Purpose::Simulation, 0).random::<u64>()
        );
    }
}

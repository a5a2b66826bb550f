//! A download mirror on 127.0.0.1 for tests: serves the files of one folder
//! over plain HTTP/1.1 (`GET /NAME`), so `SAFETYWASHING_DATA_URL` can point
//! at it and the real download path runs without leaving the machine.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};

/// The mirror; it serves until the test process ends.
pub struct Mirror {
    pub port: u16,
}

impl Mirror {
    /// Serve the files directly inside `dir`.
    pub fn serve(dir: &Path) -> Mirror {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the mirror");
        let port = listener.local_addr().unwrap().port();
        let dir = dir.to_path_buf();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let dir = dir.clone();
                std::thread::spawn(move || answer(stream, &dir));
            }
        });
        Mirror { port }
    }

    /// The base URL to give `SAFETYWASHING_DATA_URL`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

/// Answer one request: the named file, or 404 for anything else (no
/// sub-folders, so nothing outside `dir` is reachable).
fn answer(stream: TcpStream, dir: &Path) {
    let mut reader = BufReader::new(stream);
    let mut request = String::new();
    if reader.read_line(&mut request).is_err() {
        return;
    }
    // Read the headers up to the blank line.
    let mut header = String::new();
    while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
        header.clear();
    }
    let name = request
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .trim_start_matches('/');
    let file: Option<PathBuf> =
        (!name.is_empty() && !name.contains(['/', '\\']) && name != "..").then(|| dir.join(name));
    let mut stream = reader.into_inner();
    let _ = match file.and_then(|f| std::fs::read(f).ok()) {
        Some(body) => stream
            .write_all(
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                )
                .as_bytes(),
            )
            .and_then(|()| stream.write_all(&body)),
        None => stream
            .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
    };
}

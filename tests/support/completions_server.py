"""A stand-in OpenAI-compatible completions server for the evaluate tests.

Python standard library only. Serves, on 127.0.0.1 and the port given as
the first argument (0 = any free port; the port chosen is printed as
`PORT <n>` on stdout once listening):

- vLLM-style tokenizer endpoints (GET /tokenizer_info, POST /tokenize,
  POST /detokenize) with a character tokenizer: token id = code point;
- POST /v1/completions answering lm-eval's loglikelihood requests (echo +
  logprobs, max_tokens 1) and, for completeness, generation requests.

The tasks it understands are arithmetic questions ("What is 12 + 7?",
operators + - *) asked as "Question: ...\nAnswer:" with the choice as the
continuation. The log-likelihood of a continuation is higher when it is the
correct answer by a per-model strength derived from the model id, plus
deterministic noise from a hash of (model, question, continuation). So
every run is reproducible and models differ in accuracy.
"""

import hashlib
import json
import re
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

QUESTION = re.compile(r"What is (-?\d+) ([+*-]) (-?\d+)\?")


def unit(*parts):
    """A deterministic number in [0, 1) from the parts."""
    digest = hashlib.sha256("\x00".join(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def strength(model):
    """How much a correct answer is favoured, per model: 0 to 4."""
    return 4.0 * unit("strength", model)


def continuation_logprob(model, text):
    """Log-likelihood of what follows the last "Answer:" in text."""
    context, sep, continuation = text.rpartition("Answer:")
    if not sep:
        return -5.0
    match = QUESTION.search(context)
    correct = False
    if match:
        a, op, b = int(match.group(1)), match.group(2), int(match.group(3))
        answer = {"+": a + b, "-": a - b, "*": a * b}[op]
        try:
            correct = int(continuation.strip()) == answer
        except ValueError:
            correct = False
    noise = 3.0 * unit("noise", model, context, continuation)
    return -4.0 - noise + (strength(model) if correct else 0.0)


def logprobs_for(model, tokens):
    """Per-token log-probs: -1 for every context token, the continuation's
    total spread over its tokens, and one generated token at the end."""
    text = "".join(chr(t) for t in tokens)
    start = text.rfind("Answer:")
    n_cont = len(text) - (start + len("Answer:")) if start >= 0 else 0
    total = continuation_logprob(model, text)
    values = [None] + [-1.0] * (len(tokens) - 1)
    for i in range(len(tokens) - n_cont, len(tokens)):
        values[i] = total / max(n_cont, 1)
    values.append(-0.5)  # the generated token lm-eval drops
    strings = [chr(t) for t in tokens] + [" "]
    top = [None] + [{s: v} for s, v in zip(strings[1:], values[1:])]
    return {
        "tokens": strings,
        "token_logprobs": values,
        "top_logprobs": top,
        "text_offset": list(range(len(strings))),
    }


def as_tokens(prompt):
    if isinstance(prompt, str):
        return [ord(c) for c in prompt]
    return list(prompt)


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, body, status=200):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path.rstrip("/").endswith("/tokenizer_info"):
            self.reply({"eos_token": "\u0003", "bos_token": None, "pad_token": None})
        elif self.path.rstrip("/").endswith("/v1/models"):
            self.reply({"data": [], "object": "list"})
        else:
            self.reply({"error": "not found"}, 404)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(length) or b"{}")
        path = self.path.rstrip("/")
        if path.endswith("/tokenize"):
            self.reply({"tokens": [ord(c) for c in body.get("prompt", "")]})
        elif path.endswith("/detokenize"):
            self.reply({"prompt": "".join(chr(t) for t in body.get("tokens", []))})
        elif path.endswith("/v1/completions"):
            self.reply(self.completions(body))
        else:
            self.reply({"error": "not found"}, 404)

    def completions(self, body):
        model = str(body.get("model", ""))
        prompt = body.get("prompt", "")
        # One prompt (a string or a token list) or a batch of them.
        if isinstance(prompt, str) or (prompt and isinstance(prompt[0], int)):
            prompts = [prompt]
        else:
            prompts = prompt
        choices = []
        for i, p in enumerate(prompts):
            tokens = as_tokens(p)
            if body.get("echo"):
                choices.append({"index": i, "text": "".join(map(chr, tokens)) + " ",
                                "logprobs": logprobs_for(model, tokens),
                                "finish_reason": "length"})
            else:
                choices.append({"index": i, "text": " 0", "logprobs": None,
                                "finish_reason": "stop"})
        return {"id": "cmpl-stand-in", "object": "text_completion", "model": model,
                "choices": choices}


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print(f"PORT {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()

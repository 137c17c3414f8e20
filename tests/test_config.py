"""Settings: precedence, validation and the one-line errors of qa/config.py. Fast: no models, no stores."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.config import ConfigError, Settings, load_settings, settings_id


def write_toml(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"QA_DATA_DIR": str(tmp_path / "data")}


def test_defaults(env: dict[str, str], tmp_path: Path) -> None:
    s = load_settings(env)
    assert s.data_dir == tmp_path / "data"
    assert (s.chunk_chars, s.llm_backend, s.recency, s.min_relevance) == (400, "embedded", "auto", 0.30)
    assert s.chroma_dir == tmp_path / "data" / "chroma"
    assert s.catalog_path == tmp_path / "data" / "catalog.sqlite"
    assert s.bm25_dir == tmp_path / "data" / "bm25"


def test_precedence_env_over_file_over_default(env: dict[str, str], tmp_path: Path) -> None:
    write_toml(tmp_path / "data" / "qa.toml", 'chunk_chars = 800\nllm_timeout_s = 30\nrecency = "off"\n')
    s = load_settings(env | {"QA_CHUNK_CHARS": "600"})
    assert s.chunk_chars == 600  # environment beats the file
    assert s.llm_timeout_s == 30.0 and s.recency == "off"  # the file beats the default
    assert s.retrieve_k == 20  # default


def test_qa_config_names_the_file(env: dict[str, str], tmp_path: Path) -> None:
    write_toml(tmp_path / "data" / "qa.toml", "top_k = 3\n")
    other = write_toml(tmp_path / "elsewhere.toml", "top_k = 7\n")
    assert load_settings(env | {"QA_CONFIG": str(other)}).top_k == 7
    assert load_settings(env).top_k == 3


def test_overrides_win(env: dict[str, str], tmp_path: Path) -> None:
    write_toml(tmp_path / "data" / "qa.toml", "top_k = 3\n")
    assert load_settings(env | {"QA_TOP_K": "4"}, top_k=9).top_k == 9


def test_empty_variable_is_unset(env: dict[str, str], tmp_path: Path) -> None:
    s = load_settings(env | {"QA_CHUNK_CHARS": "", "QA_CHROMA_URL": "", "QA_LLM_BACKEND": ""})
    assert s.chunk_chars == 400 and s.chroma_url is None and s.llm_backend == "embedded"
    write_toml(tmp_path / "data" / "qa.toml", "chunk_chars = 800\n")
    assert load_settings(env | {"QA_CHUNK_CHARS": ""}).chunk_chars == 800  # unset: the file's value
    no_file = str(tmp_path / "none.toml")  # not a qa.toml in the real default data directory
    assert load_settings({"QA_DATA_DIR": "", "QA_CONFIG": no_file}).data_dir == Settings().data_dir


def test_llm_base_url_implies_openai(env: dict[str, str], tmp_path: Path) -> None:
    url = "http://127.0.0.1:8080/v1"
    assert load_settings(env | {"QA_LLM_BASE_URL": url}).llm_backend == "openai"
    s = load_settings(env | {"QA_LLM_BASE_URL": url, "QA_LLM_BACKEND": "embedded"})
    assert s.llm_backend == "embedded" and s.llm_base_url == url
    write_toml(tmp_path / "data" / "qa.toml", f'llm_base_url = "{url}"\n')
    assert load_settings(env).llm_backend == "openai"


def test_paths_expand_user(env: dict[str, str]) -> None:
    assert load_settings(env | {"QA_CACHE_DIR": "~/qa-cache"}).cache_dir == Path.home() / "qa-cache"


def test_bad_number_names_the_variable(env: dict[str, str]) -> None:
    with pytest.raises(ConfigError) as e:
        load_settings(env | {"QA_LLM_TIMEOUT_S": "abc"})
    assert str(e.value) == "QA_LLM_TIMEOUT_S: input should be a valid number, got 'abc'"


def test_bad_choice_names_the_variable(env: dict[str, str]) -> None:
    with pytest.raises(ConfigError, match=r"^QA_RECENCY: input should be 'auto', 'always' or 'off', got 'sometimes'$"):
        load_settings(env | {"QA_RECENCY": "sometimes"})


def test_constraints(env: dict[str, str]) -> None:
    with pytest.raises(ConfigError, match=r"^QA_CHUNK_CHARS: input should be greater than 0, got '0'$"):
        load_settings(env | {"QA_CHUNK_CHARS": "0"})
    with pytest.raises(ConfigError, match="QA_LLM_THREADS"):
        load_settings(env | {"QA_LLM_THREADS": "-1"})
    assert load_settings(env | {"QA_LLM_THREADS": "0"}).llm_threads == 0


def test_bad_value_in_file_names_setting_and_file(env: dict[str, str], tmp_path: Path) -> None:
    toml = write_toml(tmp_path / "data" / "qa.toml", 'embed_backend = "cuda"\n')
    with pytest.raises(ConfigError) as e:
        load_settings(env)
    assert str(e.value).startswith(
        f"embed_backend in {toml}: input should be 'openvino', 'onnx', 'onnx-int8' or 'torch', got 'cuda'")


def test_unknown_key_in_file(env: dict[str, str], tmp_path: Path) -> None:
    toml = write_toml(tmp_path / "data" / "qa.toml", "chunk_char = 800\n")
    with pytest.raises(ConfigError) as e:
        load_settings(env)
    assert str(toml) in str(e.value) and "chunk_char" in str(e.value) and "chunk_chars" in str(e.value)


def test_secret_in_file_is_refused(env: dict[str, str], tmp_path: Path) -> None:
    write_toml(tmp_path / "data" / "qa.toml", 'api_key = "s3cret"\n')
    with pytest.raises(ConfigError, match="QA_API_KEY"):
        load_settings(env)


def test_file_that_does_not_parse(env: dict[str, str], tmp_path: Path) -> None:
    toml = write_toml(tmp_path / "data" / "qa.toml", "chunk_chars = \n")
    with pytest.raises(ConfigError, match=str(toml)):
        load_settings(env)


def test_direct_construction_reads_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("QA_CHUNK_CHARS", "999")
    monkeypatch.setenv("QA_RECENCY", "sometimes")  # would fail if it were read
    monkeypatch.setenv("QA_DATA_DIR", str(tmp_path / "from-env"))
    s = Settings(data_dir=tmp_path / "given")
    assert s.data_dir == tmp_path / "given" and s.chunk_chars == 400 and s.recency == "auto"
    monkeypatch.delenv("QA_CONFIG", raising=False)
    with pytest.raises(ConfigError, match="QA_RECENCY"):
        load_settings()  # which does read os.environ


def test_load_settings_reads_os_environ_without_a_mapping(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("QA_DATA_DIR", str(tmp_path / "d"))
    monkeypatch.setenv("QA_TOP_K", "7")
    monkeypatch.delenv("QA_CONFIG", raising=False)
    s = load_settings()
    assert s.data_dir == tmp_path / "d" and s.top_k == 7


def test_frozen() -> None:
    with pytest.raises(ValueError):
        Settings().top_k = 3  # type: ignore[misc]


def test_with_validates(tmp_path: Path) -> None:
    s = Settings(data_dir=tmp_path)
    t = s.with_(data_dir=tmp_path / "x", chunk_chars=800, recency="off")
    assert (t.data_dir, t.chunk_chars, t.recency) == (tmp_path / "x", 800, "off")
    assert s.chunk_chars == 400  # a copy
    with pytest.raises(ConfigError, match="chunk_chars"):
        s.with_(chunk_chars="many")
    with pytest.raises(ConfigError, match="recency"):
        s.with_(recency="sometimes")
    with pytest.raises(ConfigError, match="no_such_setting"):
        s.with_(no_such_setting=1)


def test_settings_id(tmp_path: Path) -> None:
    s = Settings(data_dir=tmp_path / "a")
    assert settings_id(s) == settings_id(Settings(data_dir=tmp_path / "a"))
    assert settings_id(s.with_(web_port=9999, web_host="0.0.0.0", server_url="http://x")) == settings_id(s)
    assert settings_id(s.with_(data_dir=tmp_path / "b")) != settings_id(s)
    assert settings_id(s.with_(min_relevance=0.4)) != settings_id(s)

"""Registry files on disk: JSON Lines read line by line, each line a household."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from adapters.registry_files import count_lines, read_objects, read_registry
from domain.errors import InvalidRequest
from tests.unit.registry.builders import valid_household


def registry_file(tmp_path: Path, text: str) -> Path:
    """A registry file with that content."""
    path = tmp_path / "registry.jsonl"
    path.write_bytes(text.encode())
    return path


class TestReadObjects:
    def test_each_household_comes_with_its_line_number(self, tmp_path: Path) -> None:
        path = registry_file(tmp_path, '{"household": "H1"}\n\n  \n{"household": "H2"}\n')
        assert list(read_objects(path)) == [(1, {"household": "H1"}), (4, {"household": "H2"})]

    def test_a_last_line_without_newline_is_read(self, tmp_path: Path) -> None:
        path = registry_file(tmp_path, '{"household": "H1"}')
        assert list(read_objects(path)) == [(1, {"household": "H1"})]

    def test_a_byte_order_mark_is_ignored(self, tmp_path: Path) -> None:
        path = registry_file(tmp_path, '\ufeff{"household": "H1"}\n')
        assert list(read_objects(path)) == [(1, {"household": "H1"})]

    def test_bad_json_names_the_line_and_not_its_content(self, tmp_path: Path) -> None:
        path = registry_file(tmp_path, '{"household": "H1"}\n{"family_name": "Alaoui",}\n')
        with pytest.raises(InvalidRequest) as caught:
            list(read_objects(path))
        assert caught.value.detail.startswith("ligne 2 : JSON invalide")
        assert "Alaoui" not in caught.value.detail
        assert caught.value.code == "json-invalide"

    def test_lines_before_a_bad_one_are_yielded_first(self, tmp_path: Path) -> None:
        lines = read_objects(registry_file(tmp_path, '{"household": "H1"}\n{oops\n'))
        assert next(lines) == (1, {"household": "H1"})
        with pytest.raises(InvalidRequest):
            next(lines)

    def test_a_line_that_is_not_an_object_is_refused(self, tmp_path: Path) -> None:
        path = registry_file(tmp_path, '["H1"]\n')
        with pytest.raises(InvalidRequest, match="ligne 1 : objet JSON attendu"):
            list(read_objects(path))

    def test_invalid_utf8_is_refused(self, tmp_path: Path) -> None:
        path = tmp_path / "latin1.jsonl"
        path.write_bytes('{"family_name": "Lahlou", "given_name": "Hélène"}\n'.encode("latin-1"))
        with pytest.raises(InvalidRequest, match="ligne 1 : JSON invalide"):
            list(read_objects(path))


class TestReadRegistry:
    def test_each_line_is_read_as_a_declared_household(self, tmp_path: Path) -> None:
        path = registry_file(tmp_path, "\n" + orjson.dumps(valid_household()).decode() + "\n")
        [(line, household)] = read_registry(path)
        assert (line, household.household, household.payer) == (2, "H0000001", "CNSS")
        assert [m.member_id for m in household.members] == ["CNSS-123456789", "CNSS-123456789-02"]

    def test_a_shape_error_names_its_line(self, tmp_path: Path) -> None:
        bad = valid_household() | {"members": "none"}
        path = registry_file(tmp_path, "\n\n" + orjson.dumps(bad).decode() + "\n")
        with pytest.raises(InvalidRequest) as caught:
            list(read_registry(path))
        assert caught.value.detail == "ligne 3, members : liste attendue"


class TestCountLines:
    def test_blank_lines_are_not_counted(self, tmp_path: Path) -> None:
        path = registry_file(tmp_path, '{"household": "H1"}\n\n{"household": "H2"}\n   \n')
        assert count_lines(path) == 2

    def test_an_empty_file_has_none(self, tmp_path: Path) -> None:
        assert count_lines(registry_file(tmp_path, "")) == 0

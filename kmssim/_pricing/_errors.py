"""Errors of the pricing and quota layer. Both subclass ValueError."""

from __future__ import annotations

from pathlib import Path

__all__ = ["DataFileError", "EstimateInputError"]


class EstimateInputError(ValueError):
    """Bad input to the estimator or quota checker: names the field, the value and what is accepted."""

    def __init__(self, field: str, value: object, accepted: str, *, where: str = "") -> None:
        self.field = field
        self.value = value
        self.accepted = accepted
        place = f"{where}: " if where else ""
        super().__init__(f"{place}invalid {field} {value!r}; expected {accepted}")


class DataFileError(ValueError):
    """A data file failed validation: names the file, the row (1-based, header excluded) and the problem."""

    def __init__(self, path: Path | str, row: int | str, problem: str) -> None:
        self.path = str(path)
        self.row = row
        self.problem = problem
        where = f"row {row} (line {row + 1})" if isinstance(row, int) else str(row)
        super().__init__(f"{self.path}: {where}: {problem}")

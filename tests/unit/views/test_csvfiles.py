import csv
import io

from tandem.views.csvfiles import safe_cell, to_csv


def test_cells_that_a_spreadsheet_would_run_are_neutralised() -> None:
    for dangerous in ('=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\tx", "\rx", "\0x"):
        assert safe_cell(dangerous).startswith("'")
    assert safe_cell("Ada") == "Ada"
    assert safe_cell(None) == ""
    assert safe_cell(-3) == "-3"  # a number is not a formula


def test_to_csv_quotes_and_neutralises_and_reads_back() -> None:
    data = to_csv(("name", "note"), [("O'Brien, Dev", '=cmd|"/c calc"'), ("Ada", 3)])
    assert list(csv.reader(io.StringIO(data.decode("utf-8-sig")))) == [
        ["name", "note"],
        ["O'Brien, Dev", '\'=cmd|"/c calc"'],
        ["Ada", "3"],
    ]


def test_to_csv_starts_with_a_byte_order_mark_so_excel_reads_utf_8() -> None:
    data = to_csv(("name",), [("Zoë",), ("李伟",)])
    assert data.startswith(b"\xef\xbb\xbfname\n")
    assert data.decode("utf-8-sig").splitlines() == ["name", "Zoë", "李伟"]

// Package export writes the campaign's evidence and reports as files for
// admins: the evidence list as CSV (machine-facing) or XLSX (for people), and
// the /report workbook with the sheets Tổng hợp ấp, Cán bộ, Danh sách hộ and
// Kiểm tra.
//
// The package does no database access. Callers hand it plain rows; the
// evidence rows arrive through a [RowSource] so that a caller walking a bbolt
// cursor never has to hold every record in memory, and the writers never do
// either: CSV goes straight through encoding/csv, XLSX sheets go through
// excelize's StreamWriter and the finished ZIP is written straight to the
// caller's io.Writer (not built in memory first).
//
// Decisions worth knowing:
//
//   - Every evidence list (CSV, XLSX annex, the /report sheet) holds the
//     guided records and the households recorded as able on their own
//     (EvidenceRow.Kind RowSelfDeclared), marked as such: every household
//     that counts towards coverage is on a list and can be spot-checked.
//     The portal dossier code and the number of photos are evidence too.
//   - «Hộ» are distinct households, «lượt» reports (guided rows), in every
//     sheet. A list's last row states its own counts (Tally.Summary), the
//     same ones WriteAnnex returns, so a caption never says another figure;
//     a totals row is the sum of the rows above it; able households are
//     shown at most the register, the excess noted for admins to correct.
//   - CSV is machine-facing: header exactly as documented on [CSVHeader]
//     (the first nine columns as before, kind, dossier_code,
//     procedures_text and photos added at the end), procedures as catalogue
//     ids joined by "+" and by name in procedures_text, reported_at in RFC
//     3339 in the campaign time zone. It starts with a UTF-8 byte-order
//     mark, so that Excel on Windows shows the diacritics.
//   - Phone numbers in CSV: a spreadsheet opening the file reads 0912345678
//     as the number 912345678. Of the ways to keep it text, a formula
//     ="0912345678" is itself a formula (and shown as such by readers that
//     do not evaluate it), an apostrophe is shown as a character in a CSV
//     cell, and spaces are thousands separators in some locales. The export
//     puts a tab before the phone (and before a dossier code that reads as
//     a number or a date): Excel keeps the cell as text and shows the
//     number as written; a machine reader trims the white space. Nothing
//     formula-like is ever written.
//   - CSV formula injection: any text field whose first character is = + -
//     @ (or their full-width forms), a tab or a carriage return gets a
//     single quote (') in front, as OWASP recommends, so that a
//     spreadsheet opening the file shows the text instead of running it.
//     XLSX cells are typed text cells that no spreadsheet evaluates, so
//     XLSX values are written exactly as entered.
//   - XLSX is for people, and for the council: a title row, the day the
//     figures stop at (scoring.FiguresAtText), a bold header row frozen and
//     repeated on every printed page, an STT column, A4 landscape fitted to
//     the page width, Times New Roman like the documents; no hamlet slug and
//     no account id (the CSV has them).
//   - An XLSX sheet holds at most 1,048,576 rows. Evidence that does not fit
//     continues on sheets named "Danh sách hộ (2)", "Danh sách hộ (3)", …,
//     each with the same title and header rows, placed right after the first.
//   - Times are written as real Excel date-time numbers holding the local wall
//     time in the given location (Excel has no time zones), formatted
//     dd/mm/yyyy hh:mm. Zero times are left blank.
//   - Percentages are text cells in the one format of every document, one
//     decimal and a decimal comma, truncated ("94,9%", scoring.Percent):
//     Excel's 0.0% number format would round 94,99% up to 95.0% and show
//     the reader's decimal separator. The counts beside them stay numbers.
package export

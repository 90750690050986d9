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
//   - CSV is machine-facing. Values are written as given (phone exactly
//     0xxxxxxxxx, procedures as catalogue ids joined by "+", reported_at in
//     RFC 3339 in the campaign time zone), UTF-8 without a byte-order mark,
//     header exactly as documented on [CSVHeader]. A spreadsheet application
//     that opens the CSV directly may drop the phone's leading zero or garble
//     the diacritics: people should use the XLSX export, which keeps both.
//   - CSV formula injection: any text field whose first character is = + - @
//     (or their full-width forms), a tab or a carriage return gets a single
//     quote (') in front, as OWASP recommends, so that a spreadsheet opening
//     the file shows the text instead of running it. Normalised phones start
//     with 0 and procedure lists with an id's first letter, so they are never
//     changed. XLSX cells are typed text cells that no spreadsheet evaluates,
//     so XLSX values are written exactly as entered.
//   - The CSV procedures column carries catalogue ids only (the header is
//     fixed); the free text of "Khác" ([EvidenceRow.OtherProcedure]) appears
//     only in the XLSX, after the procedure's name.
//   - An XLSX sheet holds at most 1,048,576 rows. Evidence that does not fit
//     continues on sheets named "Danh sách hộ (2)", "Danh sách hộ (3)", …,
//     each with the same title and header rows, placed right after the first.
//   - Times are written as real Excel date-time numbers holding the local wall
//     time in the given location (Excel has no time zones), formatted
//     dd/mm/yyyy hh:mm. Zero times are left blank.
//   - Percentages are real numbers between 0 and 1 with the 0.0% format; a
//     value that is not a finite number is left blank.
package export

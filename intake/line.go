package intake

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"dvcbot/campaign"
)

// Line is a one-line report parsed and validated by ParseLine.
type Line struct {
	Name       string               // household head, normalised (NormalizeName)
	Address    string               // cleaned (NormalizeAddress)
	Phone      string               // digits only, starting with 0 (NormalizePhone)
	Procedures []campaign.Procedure // distinct, in the order typed; includes "Khác" when Other is set
	Other      string               // free text given with "khác: …", else empty
}

const lineHint = " Ví dụ một dòng đầy đủ: " + LineExample

// ParseLine parses the text an officer typed after /baocao:
//
//	<họ tên>; <địa chỉ>; <số điện thoại>; <thủ tục>[, <thủ tục>…]
//
// or the same four fields on four lines of one message (a channel such as
// Zalo counts every message against a quota, so one message is cheaper
// than a conversation), "/baocao" alone on the first line or before them:
//
//	/baocao
//	<họ tên>
//	<địa chỉ>
//	<số điện thoại>
//	<thủ tục>[, <thủ tục>…]
//
// Fields are separated by ";" or "|" (a trailing separator is ignored);
// procedures by "," or "+". A leading "/baocao" (or "/baocao@bot") is
// tolerated. Each field is validated with NormalizeName, NormalizeAddress and
// NormalizePhone; each procedure token with MatchProcedures.
//
// A token beginning with the id or the name of the "Khác" procedure
// (campaign.OtherProcedureID) followed by free text ("khác: cấp đổi căn
// cước", "khac cap doi cccd") adds that procedure and puts the text in
// Other. After such a token, a token that matches no procedure or several is
// taken as more free text (so the text may contain commas); one that matches
// exactly one procedure is still that procedure. Several "khác" tokens are
// joined with "; ". Duplicate procedures collapse.
//
// Errors: *FieldError naming the field that failed (FieldLine when there are
// not exactly four fields), its message ending with LineExample; a token that
// matches nothing is a *FieldError for FieldProcedure quoting the token and
// pointing to /giup; a token that matches several procedures is an
// *AmbiguousError.
func ParseLine(s string, catalogue []campaign.Procedure) (Line, error) {
	s = stripCommand(CleanText(linesAsFields(s)))
	if s == "" {
		return Line{}, fieldErr(FieldLine, "Anh/chị chưa nhập nội dung báo cáo. Báo cáo một dòng gồm 4 phần cách nhau bằng dấu chấm phẩy (;): họ tên; địa chỉ; số điện thoại; thủ tục."+lineHint)
	}
	fields := splitFields(s)
	if len(fields) != 4 {
		msg := fmt.Sprintf("Báo cáo một dòng cần đúng 4 phần cách nhau bằng dấu chấm phẩy (;): họ tên; địa chỉ; số điện thoại; thủ tục. Anh/chị đã nhập %d phần.", len(fields))
		if len(fields) < 4 && strings.Count(s, ",") >= 4-len(fields) {
			msg += " Giữa các phần phải dùng dấu chấm phẩy (;), không dùng dấu phẩy."
		}
		return Line{}, fieldErr(FieldLine, msg+lineHint)
	}

	var l Line
	phone, phoneErr := NormalizePhone(fields[2])
	if phoneErr != nil {
		for i, part := range []int{0, 1, 3} {
			if _, err := NormalizePhone(fields[part]); err == nil {
				return Line{}, fieldErr(FieldPhone, fmt.Sprintf("Số điện thoại phải là phần thứ 3 nhưng anh/chị đặt ở phần thứ %d. Anh/chị vui lòng giữ đúng thứ tự: họ tên; địa chỉ; số điện thoại; thủ tục.%s", []int{1, 2, 4}[i], lineHint))
			}
		}
	}
	var err error
	if l.Name, err = NormalizeName(fields[0]); err != nil {
		return Line{}, withHint(err)
	}
	if l.Address, err = NormalizeAddress(fields[1]); err != nil {
		return Line{}, withHint(err)
	}
	if phoneErr != nil {
		return Line{}, withHint(phoneErr)
	}
	l.Phone = phone
	if l.Procedures, l.Other, err = parseProcedures(fields[3], catalogue); err != nil {
		return Line{}, err
	}
	return l, nil
}

// stripCommand removes a leading /baocao or /baocao@botname.
func stripCommand(s string) string {
	first, rest, _ := strings.Cut(s, " ")
	cmd, _, _ := strings.Cut(first, "@")
	if strings.EqualFold(cmd, "/baocao") {
		return strings.TrimSpace(rest)
	}
	return s
}

// linesAsFields turns a report written on several lines into the one-line
// form: each non-empty line is a field (a line may still hold several
// fields separated by ";"); "/baocao" alone on the first line is kept as
// the command. Text on one line is returned as it is.
func linesAsFields(s string) string {
	if !strings.ContainsAny(s, "\n\r") {
		return s
	}
	var lines []string
	for _, l := range splitLines(s) {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, strings.TrimRight(l, ";|"))
		}
	}
	if len(lines) == 0 {
		return ""
	}
	head := ""
	if cmd, _, _ := strings.Cut(lines[0], "@"); strings.EqualFold(strings.TrimSpace(cmd), "/baocao") {
		head, lines = "/baocao ", lines[1:]
	}
	return head + strings.Join(lines, "; ")
}

// CleanLines cleans each line of a message like CleanText and keeps the
// line breaks between non-empty lines, so that a report written on four
// lines keeps its four fields.
func CleanLines(s string) string {
	if !strings.ContainsAny(s, "\n\r\u2028") {
		return CleanText(s)
	}
	var out []string
	for _, l := range splitLines(s) {
		if l = CleanText(l); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// splitLines splits s at line breaks (LF, CR, U+2028), dropping empty lines.
func splitLines(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' || r == '\u2028' })
}

// splitFields splits on ";" and "|", trims each part and drops trailing
// empty parts.
func splitFields(s string) []string {
	var parts []string
	start := 0
	for i, r := range s {
		if r == ';' || r == '|' {
			parts = append(parts, strings.TrimSpace(s[start:i]))
			start = i + 1
		}
	}
	parts = append(parts, strings.TrimSpace(s[start:]))
	for len(parts) > 1 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	return parts
}

// withHint appends the full one-line example to a field error.
func withHint(err error) error {
	if fe, ok := err.(*FieldError); ok {
		return fieldErr(fe.Field, fe.Message+lineHint)
	}
	return err
}

// parseProcedures turns the procedure field into distinct procedures and the
// free text of "Khác".
func parseProcedures(field string, catalogue []campaign.Procedure) ([]campaign.Procedure, string, error) {
	other, hasOther := findProcedure(catalogue, campaign.OtherProcedureID)
	var keys [][]string
	if hasOther {
		keys = append(keys, []string{campaign.OtherProcedureID})
		if k := words(Fold(other.Name)); len(k) > 0 {
			keys = append(keys, k)
		}
	}
	suggest := "Anh/chị gõ /giup để xem danh sách thủ tục (có thể ghi số thứ tự của thủ tục thay cho tên)"
	if hasOther {
		suggest += fmt.Sprintf(", hoặc ghi “%s” nếu thủ tục không có trong danh sách", OtherExample)
	}
	suggest += "."

	var (
		procs     []campaign.Procedure
		others    []string // one entry per "khác" token
		inOther   bool
		seen      = map[string]bool{}
		addUnique = func(p campaign.Procedure) {
			if !seen[p.ID] {
				seen[p.ID] = true
				procs = append(procs, p)
			}
		}
	)
	for _, tok := range strings.FieldsFunc(field, func(r rune) bool { return r == ',' || r == '+' }) {
		tok = CleanText(tok)
		if tok == "" {
			continue
		}
		if text, ok := cutOtherPrefix(tok, keys); ok {
			if text == "" {
				return nil, "", fieldErr(FieldProcedure, fmt.Sprintf("Anh/chị chọn thủ tục “%s” nhưng chưa ghi tên thủ tục, ví dụ “%s”. Anh/chị vui lòng ghi thêm tên thủ tục đã hướng dẫn.%s", other.Name, OtherExample, lineHint))
			}
			addUnique(other)
			others = append(others, text)
			inOther = true
			continue
		}
		m := MatchProcedures(catalogue, tok)
		if inOther && len(m) != 1 {
			others[len(others)-1] += ", " + tok
			continue
		}
		switch {
		case len(m) == 0:
			return nil, "", fieldErr(FieldProcedure, fmt.Sprintf("Không tìm thấy thủ tục “%s” trong danh mục. %s%s", clip(tok, 40), suggest, lineHint))
		case len(m) > 1:
			return nil, "", &AmbiguousError{Token: clip(tok, 40), Candidates: m}
		case hasOther && m[0].ID == other.ID:
			return nil, "", fieldErr(FieldProcedure, fmt.Sprintf("Anh/chị chọn thủ tục “%s” nhưng chưa ghi tên thủ tục, ví dụ “%s”. Anh/chị vui lòng ghi thêm tên thủ tục đã hướng dẫn.%s", other.Name, OtherExample, lineHint))
		}
		addUnique(m[0])
	}
	if len(procs) == 0 {
		return nil, "", fieldErr(FieldProcedure, "Anh/chị chưa nhập thủ tục đã hướng dẫn cho hộ. Anh/chị ghi tên thủ tục (ví dụ khai sinh, thường trú) hoặc số thứ tự trong /giup, cách nhau bằng dấu phẩy."+lineHint)
	}
	text := strings.Join(others, "; ")
	if n := utf8.RuneCountInString(text); n > MaxOtherRunes {
		return nil, "", fieldErr(FieldProcedure, fmt.Sprintf("Phần ghi thủ tục khác dài %d ký tự, quá giới hạn %d ký tự. Anh/chị vui lòng ghi ngắn gọn tên thủ tục.%s", n, MaxOtherRunes, lineHint))
	}
	return procs, text, nil
}

func findProcedure(catalogue []campaign.Procedure, id string) (campaign.Procedure, bool) {
	for _, p := range catalogue {
		if p.ID == id {
			return p, true
		}
	}
	return campaign.Procedure{}, false
}

// cutOtherPrefix reports whether tok begins with one of keys (folded words)
// and returns the original text after it, without leading punctuation.
func cutOtherPrefix(tok string, keys [][]string) (string, bool) {
	tw := words(Fold(tok))
	for _, k := range keys {
		if len(tw) < len(k) || !slices.Equal(tw[:len(k)], k) {
			continue
		}
		rest := skipWords(tok, len(k))
		rest = strings.TrimLeftFunc(rest, func(r rune) bool {
			return unicode.IsSpace(r) || strings.ContainsRune(":：-–—=.>", r)
		})
		return CleanText(rest), true
	}
	return "", false
}

// skipWords returns s after its first n words, where a word is a run of
// letters, digits and combining marks.
func skipWords(s string, n int) string {
	in := false
	for i, r := range s {
		w := unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.In(r, unicode.Mn, unicode.Mc)
		if in && !w {
			n--
			if n == 0 {
				return s[i:]
			}
		}
		in = w
	}
	return ""
}

// clip shortens s to at most n runes, adding "…" when cut.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

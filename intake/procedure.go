package intake

import (
	"slices"
	"strconv"
	"strings"

	"dvcbot/campaign"
)

// MatchProcedures finds the catalogue procedures an officer meant by query.
// It returns every remaining candidate: none means unknown, more than one
// means ambiguous (the caller asks which). The rules, first that applies:
//
//  1. An empty query matches nothing.
//  2. A procedure whose ID equals the query, ignoring case ("KHAI_SINH",
//     "gplx"), is the only match.
//  3. A query of digits only is a 1-based position in the catalogue ("3");
//     out of range matches nothing.
//  4. The query and the names are folded (see Fold) and split into words of
//     letters and digits, so case, diacritics, đ and punctuation such as
//     "–" do not matter. A procedure whose folded name equals the folded
//     query is the only match.
//  5. A procedure is a candidate when every query word occurs in its folded
//     name as a substring ("thuong tru", "ly lich tu phap", "BHYT"), or is
//     the initials of consecutive words of the name ("gplx", "dkks").
//     Among the candidates the best tier wins:
//     a. names that end with the query words as a phrase ("khai sinh" →
//     "Đăng ký khai sinh", not "Liên thông khai sinh – thường trú – …":
//     Vietnamese procedure names end with their object, which is what
//     officers call them by);
//     b. names that contain the query words as a phrase;
//     c. names in which every query word is a whole word or initials;
//     d. the remaining candidates.
//
// So "bhyt" alone is ambiguous between "Gia hạn thẻ BHYT hộ gia đình" and
// the "Liên thông … cấp thẻ BHYT …" procedure, while "gia hạn bhyt" is not.
func MatchProcedures(catalogue []campaign.Procedure, query string) []campaign.Procedure {
	q := CleanText(query)
	if q == "" {
		return nil
	}
	for _, p := range catalogue {
		if strings.EqualFold(p.ID, q) {
			return []campaign.Procedure{p}
		}
	}
	if allDigits(q) {
		n, err := strconv.Atoi(q)
		if err != nil || n < 1 || n > len(catalogue) {
			return nil
		}
		return []campaign.Procedure{catalogue[n-1]}
	}
	qw := words(Fold(q))
	if len(qw) == 0 {
		return nil
	}
	qs := strings.Join(qw, " ")

	var exact, tierA, tierB, tierC, tierD []campaign.Procedure
	for _, p := range catalogue {
		nw := words(Fold(p.Name))
		ns := strings.Join(nw, " ")
		switch {
		case ns == qs:
			exact = append(exact, p)
		case !allWordsMatch(qw, nw, ns, false):
		case strings.HasSuffix(" "+ns, " "+qs):
			tierA = append(tierA, p)
		case strings.Contains(" "+ns+" ", " "+qs+" "):
			tierB = append(tierB, p)
		case allWordsMatch(qw, nw, ns, true):
			tierC = append(tierC, p)
		default:
			tierD = append(tierD, p)
		}
	}
	for _, tier := range [][]campaign.Procedure{exact, tierA, tierB, tierC} {
		if len(tier) > 0 {
			return tier
		}
	}
	return tierD
}

// allWordsMatch reports whether every query word occurs in the name: as a
// whole word or as initials when whole is true, else also as a substring.
func allWordsMatch(qw, nw []string, ns string, whole bool) bool {
	for _, w := range qw {
		if isInitials(w, nw) {
			continue
		}
		if whole {
			if !slices.Contains(nw, w) {
				return false
			}
		} else if !strings.Contains(ns, w) {
			return false
		}
	}
	return true
}

// isInitials reports whether w (two or more letters) is the first letters of
// consecutive words of the name.
func isInitials(w string, nw []string) bool {
	if len(w) < 2 || len(w) > len(nw) {
		return false
	}
	for i := 0; i < len(w); i++ {
		if w[i] < 'a' || w[i] > 'z' {
			return false
		}
	}
	for i := 0; i+len(w) <= len(nw); i++ {
		ok := true
		for j := 0; j < len(w); j++ {
			if nw[i+j][0] != w[j] {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

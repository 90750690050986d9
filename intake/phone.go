package intake

import (
	"fmt"
	"strings"
	"unicode"
)

// newMobilePrefix returns the 10-digit replacement of an 11-digit mobile
// prefix retired in 2018 (a function, not a map, so that nothing in the
// package is mutable).
func newMobilePrefix(old string) (string, bool) {
	switch old {
	case "0162", "0163", "0164", "0165", "0166", "0167", "0168", "0169":
		return "03" + old[3:], true // 0162–0169 → 032–039
	case "0120":
		return "070", true
	case "0121":
		return "079", true
	case "0122":
		return "077", true
	case "0126":
		return "076", true
	case "0128":
		return "078", true
	case "0123":
		return "083", true
	case "0124":
		return "084", true
	case "0125":
		return "085", true
	case "0127":
		return "081", true
	case "0129":
		return "082", true
	case "0186":
		return "056", true
	case "0188":
		return "058", true
	case "0199":
		return "059", true
	}
	return "", false
}

const phoneRetry = "Số di động có 10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09 (ví dụ " + PhoneExample +
	"); số máy bàn có 11 chữ số, bắt đầu bằng 02. Anh/chị vui lòng kiểm tra và nhập lại."

// NormalizePhone validates a Vietnamese phone number and returns it as digits
// only, starting with 0.
//
// Accepted: spaces, dots, dashes and parentheses between digits; the country
// code written +84, 84 or 0084 (with or without the trunk 0 after it); a
// 9-digit mobile whose leading 0 was dropped (as spreadsheets do).
// Mobiles are 0[35789] + 8 digits: every such number is accepted, without
// checking the operators' current allocations, so that a newly allocated
// prefix is never refused. Pre-2018 11-digit mobiles (016x, 012x, 0186,
// 0188, 0199) are converted to their 10-digit numbers. Landlines are 02 +
// area code + number, 11 digits in all, and are kept as they are.
// Anything else is a *FieldError saying what is wrong.
func NormalizePhone(s string) (string, error) {
	s = CleanText(s)
	if s == "" {
		return "", fieldErr(FieldPhone, "Anh/chị chưa nhập số điện thoại của hộ. "+phoneRetry)
	}
	var digits []byte
	plus := false
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits = append(digits, byte(r))
		case r == ' ' || r == '.' || r == '(' || r == ')' || isDash(r):
		case r == '+':
			if plus || len(digits) > 0 {
				return "", fieldErr(FieldPhone, "Dấu “+” chỉ được đặt ở đầu số điện thoại, trước mã nước 84. "+phoneRetry)
			}
			plus = true
		case unicode.IsLetter(r):
			return "", fieldErr(FieldPhone, "Số điện thoại chỉ gồm chữ số (có thể có dấu cách, dấu chấm hoặc gạch nối), không có chữ cái. "+phoneRetry)
		case unicode.IsDigit(r):
			return "", fieldErr(FieldPhone, "Số điện thoại có chữ số không phải kiểu thông thường 0–9; anh/chị vui lòng gõ lại bằng bàn phím số. "+phoneRetry)
		case r == '/' || r == ',' || r == ';':
			return "", fieldErr(FieldPhone, fmt.Sprintf("Số điện thoại có ký tự “%c”; nếu hộ có nhiều số, anh/chị chỉ nhập một số. %s", r, phoneRetry))
		default:
			return "", fieldErr(FieldPhone, fmt.Sprintf("Số điện thoại có ký tự “%c” không hợp lệ. %s", r, phoneRetry))
		}
	}
	d := string(digits)
	if d == "" {
		return "", fieldErr(FieldPhone, "Số điện thoại chưa có chữ số nào. "+phoneRetry)
	}
	switch {
	case plus:
		if !strings.HasPrefix(d, "84") {
			return "", fieldErr(FieldPhone, "Hệ thống chỉ nhận số điện thoại Việt Nam (mã nước +84). "+phoneRetry)
		}
		d = national(d[2:])
	case strings.HasPrefix(d, "0084"):
		d = national(d[4:])
	case strings.HasPrefix(d, "84") && (len(d) == 11 || len(d) == 12):
		d = national(d[2:])
	case len(d) == 9 && strings.ContainsRune("35789", rune(d[0])):
		d = "0" + d
	}
	n := len(d)
	if n > 11 {
		return "", fieldErr(FieldPhone, fmt.Sprintf("Số điện thoại có %d chữ số, nhiều hơn bình thường; nếu hộ có nhiều số, anh/chị chỉ nhập một số. %s", n, phoneRetry))
	}
	if d[0] != '0' {
		return "", fieldErr(FieldPhone, "Số điện thoại phải bắt đầu bằng số 0 (hoặc +84). "+phoneRetry)
	}
	if n < 10 {
		return "", fieldErr(FieldPhone, fmt.Sprintf("Số điện thoại mới có %d chữ số, còn thiếu. %s", n, phoneRetry))
	}
	switch d[1] {
	case '3', '5', '7', '8', '9':
		if n == 10 {
			return d, nil
		}
		return "", fieldErr(FieldPhone, fmt.Sprintf("Số di động bắt đầu bằng %s chỉ có 10 chữ số, số anh/chị nhập có 11 chữ số. %s", d[:2], phoneRetry))
	case '2':
		if n == 11 {
			return d, nil
		}
		return "", fieldErr(FieldPhone, "Số máy bàn (bắt đầu bằng 02) phải có 11 chữ số gồm cả mã vùng, ví dụ 0297 3846 123; số anh/chị nhập mới có 10 chữ số. Anh/chị vui lòng kiểm tra và nhập lại.")
	case '1':
		if n == 11 {
			if p, ok := newMobilePrefix(d[:4]); ok {
				return p + d[4:], nil
			}
			return "", fieldErr(FieldPhone, fmt.Sprintf("Đầu số cũ %s không có trong bảng chuyển đổi sang số di động 10 chữ số. %s", d[:4], phoneRetry))
		}
		return "", fieldErr(FieldPhone, "Số bắt đầu bằng 01 là số di động cũ 11 chữ số (nay đã đổi sang 10 chữ số); số anh/chị nhập có 10 chữ số. Anh/chị vui lòng hỏi lại số mới của hộ và nhập lại.")
	}
	return "", fieldErr(FieldPhone, fmt.Sprintf("Đầu số %s không phải đầu số điện thoại đang dùng ở Việt Nam. %s", d[:2], phoneRetry))
}

// national turns the digits after the country code into a national number:
// it adds the trunk 0 unless the officer already wrote it (+84 0912…).
func national(rest string) string {
	if strings.HasPrefix(rest, "0") {
		return rest
	}
	return "0" + rest
}

func isDash(r rune) bool {
	return r == '-' || (r >= 0x2010 && r <= 0x2015) || r == 0x2212
}

// FormatPhone renders a normalised phone number for reading: mobiles as
// "0912 345 678"; landlines as "024 3825 1234" (Hà Nội, TP.HCM) or
// "0297 3846 123" (other provinces). Input that is not a valid number is
// normalised first; if it still is not valid it is returned unchanged.
func FormatPhone(p string) string {
	d, err := NormalizePhone(p)
	if err != nil {
		return p
	}
	switch {
	case len(d) == 10:
		return d[:4] + " " + d[4:7] + " " + d[7:]
	case d[:3] == "024" || d[:3] == "028":
		return d[:3] + " " + d[3:7] + " " + d[7:]
	default:
		return d[:4] + " " + d[4:8] + " " + d[8:]
	}
}

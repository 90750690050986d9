package chat

import (
	"reflect"
	"strings"
	"testing"
)

func TestSpans(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []Span
	}{
		{"plain", "xin chào", []Span{{Normal, "xin chào"}}},
		{"bold in the middle", "Đã " + Bold("lưu") + " hộ", []Span{{Normal, "Đã "}, {BoldStyle, "lưu"}, {Normal, " hộ"}}},
		{"code and pre", Code("/baocao") + "\n" + Pre("a  b"), []Span{{CodeStyle, "/baocao"}, {Normal, "\n"}, {PreStyle, "a  b"}}},
		{"nested opening ignored", "\x11a\x15b\x16c\x12", []Span{{BoldStyle, "abc"}}},
		{"stray closing ignored", "a\x12b", []Span{{Normal, "ab"}}},
		{"unclosed runs to the end", "a\x11b", []Span{{Normal, "a"}, {BoldStyle, "b"}}},
		{"empty spans dropped", Bold("") + "x", []Span{{Normal, "x"}}},
		{"empty", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Spans(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Spans(%q) = %#v, want %#v", tt.in, got, tt.want)
			}
		})
	}
}

func TestMarkFunctionsStripWhatTheyWrap(t *testing.T) {
	// A name typed with a mark in it (it cannot arrive through
	// intake.CleanText, but the store may hold anything) must not end the
	// bold span early or open another.
	got := Spans(Bold("Nguyễn\x12 Văn \x15An"))
	want := []Span{{BoldStyle, "Nguyễn Văn An"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v, want %#v", got, want)
	}
}

func TestFromHTML(t *testing.T) {
	tests := []struct{ in, want string }{
		{"<b>Bảng xếp hạng</b> ngày 01/02", Bold("Bảng xếp hạng") + " ngày 01/02"},
		{"a &lt;b&gt; &amp; &quot;c&quot;", `a <b> & "c"`},
		{"<i>ghi chú</i>\n<pre>Ấp  Hộ\nA   1</pre>", Italic("ghi chú") + "\n" + Pre("Ấp  Hộ\nA   1")},
		{`gọi <a href="tel:+84912345678">0912 345 678</a>`, "gọi 0912 345 678"},
		{"<code>/baocao</code> <strong>x</strong>", Code("/baocao") + " " + Bold("x")},
	}
	for _, tt := range tests {
		if got := FromHTML(tt.in); got != tt.want {
			t.Errorf("FromHTML(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzSpansJoin(f *testing.F) {
	for _, s := range []string{"", "a", Bold("b") + "c", "\x11\x11\x12\x12", Pre("x\ny") + Code("z")} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		spans := Spans(s)
		if got := Plain(Join(spans)); got != Plain(s) {
			t.Fatalf("text changed: %q → %q", Plain(s), got)
		}
		if again := Spans(Join(spans)); !reflect.DeepEqual(again, spans) {
			t.Fatalf("Spans(Join(Spans(s))) = %#v, want %#v", again, spans)
		}
		for _, sp := range spans {
			if sp.Text == "" || strings.ContainsFunc(sp.Text, func(r rune) bool { return r >= boldOn && r <= preOff }) {
				t.Fatalf("span %#v is empty or holds a mark", sp)
			}
		}
	})
}

func TestParseAddress(t *testing.T) {
	for _, ok := range []string{"telegram:123", "telegram:-100200", "zalo:6ede9afa1b2c", "console:1"} {
		a, err := ParseAddress(ok)
		if err != nil || a.String() != ok {
			t.Errorf("ParseAddress(%q) = %v, %v", ok, a, err)
		}
	}
	for _, bad := range []string{"", "123", "sms:1", "zalo:", "zalo:a b", "telegram:ü"} {
		if _, err := ParseAddress(bad); err == nil {
			t.Errorf("ParseAddress(%q) accepted", bad)
		}
	}
}

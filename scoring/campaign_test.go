package scoring

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestReportTimeAtTheCampaignEdges checks which instants a report may be
// dated at: 00:00:00 and 23:59:59 of the first and last days count, the
// second before and the second after do not.
func TestReportTimeAtTheCampaignEdges(t *testing.T) {
	loc := hcm(t)
	p := DefaultParams()
	for _, tc := range []struct {
		name string
		at   time.Time
		in   bool
	}{
		{"00:00:00 on the first day", time.Date(2026, 1, 1, 0, 0, 0, 0, loc), true},
		{"23:59:59 on the first day", time.Date(2026, 1, 1, 23, 59, 59, 0, loc), true},
		{"00:00:00 on the last day", time.Date(2026, 12, 31, 0, 0, 0, 0, loc), true},
		{"23:59:59 on the last day", time.Date(2026, 12, 31, 23, 59, 59, 999_999_999, loc), true},
		{"23:59:59 the day before", time.Date(2025, 12, 31, 23, 59, 59, 0, loc), false},
		{"00:00:00 the day after", time.Date(2027, 1, 1, 0, 0, 0, 0, loc), false},
		{"10/01/2027, the case of the issue", time.Date(2027, 1, 10, 9, 0, 0, 0, loc), false},
		// 31/12/2026 17:00 UTC is already 01/01/2027 in Vietnam.
		{"17:00 UTC on the last day is the next day locally", time.Date(2026, 12, 31, 17, 0, 0, 0, time.UTC), false},
		{"16:59:59 UTC on the last day is its last second locally", time.Date(2026, 12, 31, 16, 59, 59, 0, time.UTC), true},
		{"17:00 UTC the day before the first is its first second locally", time.Date(2025, 12, 31, 17, 0, 0, 0, time.UTC), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := p.InCampaignAt(tc.at, loc); got != tc.in {
				t.Errorf("InCampaignAt(%v) = %v, want %v", tc.at, got, tc.in)
			}
			err := p.CheckReportTime(tc.at, loc)
			if (err == nil) != tc.in {
				t.Fatalf("CheckReportTime(%v) = %v, want refused %v", tc.at, err, !tc.in)
			}
			if err == nil {
				return
			}
			var out *OutsideCampaignError
			if !errors.As(err, &out) || out.Start != p.CampaignStart || out.End != p.CampaignEnd || out.Day != DateOf(tc.at, loc) {
				t.Errorf("error %#v", err)
			}
			msg := err.Error()
			want := "đã kết thúc"
			if out.Day.Before(p.CampaignStart) {
				want = "chưa bắt đầu"
			}
			for _, w := range []string{"từ ngày 01/01/2026 đến hết ngày 31/12/2026", want, "ngày " + out.Day.String(), "không được ghi nhận"} {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q lacks %q", msg, w)
				}
			}
		})
	}
}

func TestFiguresAt(t *testing.T) {
	p := DefaultParams()
	for _, tc := range []struct{ today, want Date }{
		{d(2026, 11, 28), d(2026, 11, 28)},
		{d(2026, 12, 31), d(2026, 12, 31)},
		{d(2027, 1, 1), d(2026, 12, 31)},
		{d(2027, 1, 10), d(2026, 12, 31)},
		{d(2025, 12, 20), d(2025, 12, 20)}, // before the campaign: nothing counts yet
	} {
		if got := p.FiguresAt(tc.today); got != tc.want {
			t.Errorf("FiguresAt(%v) = %v, want %v", tc.today, got, tc.want)
		}
	}
	if got := FiguresAtText(d(2026, 12, 31)); got != "Số liệu tính đến hết ngày 31/12/2026" {
		t.Errorf("FiguresAtText = %q", got)
	}
	if got := FiguresAtText(Date{}); strings.Contains(got, "%") || !strings.HasPrefix(got, "Số liệu tính đến hết ngày") {
		t.Errorf("FiguresAtText(zero) = %q", got)
	}
}

func TestReviewPeriod(t *testing.T) {
	p := DefaultParams()
	for _, tc := range []struct {
		name  string
		kind  PeriodKind
		ref   Date
		label string
	}{
		{"sơ kết in July", KindHalf, d(2026, 7, 1), "6 tháng đầu năm 2026"},
		{"sơ kết run by hand in December reviews the first half", KindHalf, d(2026, 12, 15), "6 tháng đầu năm 2026"},
		{"sơ kết in March (provisional)", KindHalf, d(2026, 3, 1), "6 tháng đầu năm 2026"},
		{"sơ kết after the campaign", KindHalf, d(2027, 2, 1), "6 tháng đầu năm 2026"},
		{"tổng kết", KindYear, d(2026, 6, 1), "năm 2026"},
		{"quarter II", KindQuarter, d(2026, 5, 20), "quý II/2026"},
		{"quarter after the campaign is its last", KindQuarter, d(2027, 1, 2), "quý IV/2026"},
		{"quarter before the campaign is its first", KindQuarter, d(2025, 12, 2), "quý I/2026"},
	} {
		if got := p.ReviewPeriod(tc.kind, tc.ref); got.Label != tc.label {
			t.Errorf("%s: ReviewPeriod = %q, want %q", tc.name, got.Label, tc.label)
		}
	}
	// A campaign that does not start on 1 January: its own first six months.
	q := p
	q.CampaignStart, q.CampaignEnd = d(2026, 3, 15), d(2027, 3, 14)
	if got := q.ReviewPeriod(KindHalf, d(2026, 12, 1)); got.From != d(2026, 3, 15) || got.To != d(2026, 9, 14) {
		t.Errorf("sơ kết of 15/03/2026–14/03/2027 = %v–%v", got.From, got.To)
	}
	if got := q.ReviewPeriod(KindYear, d(2026, 12, 1)); got.From != q.CampaignStart || got.To != q.CampaignEnd {
		t.Errorf("tổng kết = %v", got)
	}
}

func TestProvisional(t *testing.T) {
	loc := hcm(t)
	h1 := Half(2026, 1)
	for _, tc := range []struct {
		at          Date
		provisional bool
	}{{d(2026, 3, 1), true}, {d(2026, 6, 29), true}, {d(2026, 6, 30), false}, {d(2026, 12, 15), false}} {
		if got := h1.Provisional(tc.at); got != tc.provisional {
			t.Errorf("Provisional(%v) = %v", tc.at, got)
		}
	}
	for _, tc := range []struct {
		now   time.Time
		ended bool
	}{
		{time.Date(2026, 6, 30, 23, 59, 59, 0, loc), false},
		{time.Date(2026, 7, 1, 0, 0, 0, 0, loc), true},
		{time.Date(2026, 6, 30, 17, 0, 0, 0, time.UTC), true}, // 00:00 on 01/07 in Vietnam
	} {
		if got := h1.EndedBy(tc.now, loc); got != tc.ended {
			t.Errorf("EndedBy(%v) = %v, want %v", tc.now, got, tc.ended)
		}
	}
	if ProvisionalMark != "tạm tính" {
		t.Errorf("ProvisionalMark = %q", ProvisionalMark)
	}
}

func TestSpecialMinShareValidation(t *testing.T) {
	p := DefaultParams()
	if p.SpecialMinShare != 0.95 || p.SpecialShare() != 0.95 {
		t.Errorf("default share %v", p.SpecialMinShare)
	}
	p.SpecialMinShare = 0
	if err := p.Validate(); err != nil || p.SpecialShare() != DefaultSpecialMinShare {
		t.Errorf("zero share: %v, %v", err, p.SpecialShare())
	}
	for _, bad := range []float64{-0.1, 1.01, 95} {
		p.SpecialMinShare = bad
		if err := p.Validate(); err == nil || !strings.Contains(err.Error(), "awards.special_min_share") {
			t.Errorf("share %v: %v", bad, err)
		}
	}
}

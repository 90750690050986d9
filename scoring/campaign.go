package scoring

import "time"

// This file holds the rules of the campaign period (issue 11): which
// moments a report may be dated at, the day figures stop at by default,
// the periods the reviews cover and when a period's figures are final.

// ProvisionalMark is what a post or document says of figures for a period
// that has not ended yet: «tạm tính».
const ProvisionalMark = "tạm tính"

// InCampaignAt reports whether instant t falls within the campaign in loc
// (nil means UTC): from 00:00:00 on CampaignStart to the last instant of
// CampaignEnd (23:59:59.999…). A report dated outside it does not count.
func (p Params) InCampaignAt(t time.Time, loc *time.Location) bool {
	return p.InCampaign(DateOf(t, loc))
}

// OutsideCampaignError is the answer to a report dated outside the
// campaign; its message is a Vietnamese sentence meant for the officer.
type OutsideCampaignError struct {
	Day        Date // the local day of the report
	Start, End Date // the campaign
}

// Error says when the campaign runs and that the report was not recorded.
func (e *OutsideCampaignError) Error() string {
	when := "đã kết thúc"
	if e.Day.Before(e.Start) {
		when = "chưa bắt đầu"
	}
	return "Phong trào diễn ra từ ngày " + e.Start.String() + " đến hết ngày " + e.End.String() +
		" nên " + when + " vào ngày " + e.Day.String() + ": báo cáo này không được ghi nhận."
}

// CheckReportTime returns nil when a report made at instant t counts, and
// an *OutsideCampaignError (its message a Vietnamese sentence) when t lies
// before the first or after the last day of the campaign in loc.
func (p Params) CheckReportTime(t time.Time, loc *time.Location) error {
	d := DateOf(t, loc)
	if p.InCampaign(d) {
		return nil
	}
	return &OutsideCampaignError{Day: d, Start: p.CampaignStart, End: p.CampaignEnd}
}

// FiguresAt is the day figures stop at when nobody names one (reviews,
// award lists, dossiers): the earlier of today and the campaign's last
// day. Before the campaign starts it is today (nothing counts yet).
func (p Params) FiguresAt(today Date) Date {
	if !p.CampaignEnd.IsZero() && today.After(p.CampaignEnd) {
		return p.CampaignEnd
	}
	return today
}

// FiguresAtText is the line every document carries to say which day its
// figures stop at: "Số liệu tính đến hết ngày 28/11/2026".
func FiguresAtText(d Date) string {
	if d.IsZero() {
		return "Số liệu tính đến hết ngày …………"
	}
	return "Số liệu tính đến hết ngày " + d.String()
}

// ReviewPeriod is the period a review of kind covers when it is run on day
// ref:
//
//   - KindQuarter: the quarter holding ref (the campaign's last quarter
//     once the campaign is over, its first one before it starts);
//   - KindHalf: the sơ kết, always the campaign's first six months (a run
//     in December reviews the first half-year, not the second);
//   - any other kind: the whole campaign (the tổng kết).
//
// The period is not clipped; figures are counted within the campaign.
func (p Params) ReviewPeriod(kind PeriodKind, ref Date) Period {
	switch kind {
	case KindQuarter:
		switch {
		case ref.After(p.CampaignEnd):
			ref = p.CampaignEnd
		case ref.Before(p.CampaignStart):
			ref = p.CampaignStart
		}
		return Quarter(ref.Year, quarterOf(ref.Month))
	case KindHalf:
		s := p.CampaignStart
		if s.Day == 1 && (s.Month == time.January || s.Month == time.July) {
			return Half(s.Year, halfOf(s.Month))
		}
		return Range(s, NewDate(s.Year, s.Month+6, s.Day).AddDays(-1))
	}
	return p.Campaign()
}

// EndedBy reports whether the whole of period p is over at instant now:
// its last day has passed in loc (nil means UTC). Figures of a period that
// has not ended are provisional (ProvisionalMark).
func (p Period) EndedBy(now time.Time, loc *time.Location) bool {
	if p.Empty() {
		return true
	}
	return DateOf(now, loc).After(p.To)
}

// Provisional reports whether figures of period p taken as of day at are
// provisional: at falls before the period's last day. A review taken on
// its last day itself is final only after that day ends: use EndedBy with
// the instant of the run for posts.
func (p Period) Provisional(at Date) bool { return !p.Empty() && at.Before(p.To) }

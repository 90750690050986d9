package web

import (
	"net/http"
	"strconv"

	"dvcbot/campaign"
	"dvcbot/scoring"
)

// meView is a person's own figures, as /toi gives them, with their place
// in the individual award and the days they reported.
type meView struct {
	Name, Role                       string
	NoHamlet                         bool
	TodayHouseholds, TodayProcedures int
	MonthLabel                       string
	MonthGuided, MonthProcedures     int
	MonthDays                        int
	Households, Procedures, Days     int
	Passed, Failed, Unreachable      int
	Award, AwardNeed                 string
	Selected                         bool
	Calendar, OlderMonths            []monthView
}

func (meView) title() string { return "Kết quả của tôi" }

// me (GET /toi) is the viewer's own figures: nobody else's.
func (s *Server) me(w http.ResponseWriter, r *http.Request, v *viewer) error {
	z, err := s.zone(r.Context())
	if err != nil {
		return err
	}
	mv := meView{Name: v.Name, Role: whoText(Person{Role: v.Role}, s.hamletName(v.HamletID))}
	if v.HamletID == "" {
		mv.NoHamlet = true
		s.renderFor(w, r, http.StatusOK, v, "me", "", s.asOf(z), mv)
		return nil
	}
	p := s.opt.Params
	id := int64(v.ID)
	d, err := s.src.Hamlet(r.Context(), HamletQuery{Hamlet: v.HamletID, From: z.at, To: z.at,
		Officers: []int64{id}, OfficersFrom: p.CampaignStart})
	if err != nil {
		return err
	}
	active := map[scoring.Date]bool{}
	for _, od := range d.OfficerDays {
		if od.Date == z.at {
			mv.TodayHouseholds, mv.TodayProcedures = od.Households, od.Procedures
		}
		if od.Households > 0 || od.Procedures > 0 {
			active[od.Date] = true
		}
	}
	e, ok := z.officer[id]
	if !ok {
		e = officerEntry{Stats: scoring.OfficerStats{Officer: scoring.Officer{ID: id, Name: v.Name, HamletID: v.HamletID, Active: v.Active}}}
	}
	month := monthFigures([]officerEntry{e}, d.OfficerDays, p, z.at)[id]
	mv.MonthLabel = strconv.Itoa(int(z.at.Month)) + "/" + strconv.Itoa(z.at.Year)
	mv.MonthGuided, mv.MonthProcedures, mv.MonthDays = month.GuidedInPeriod, month.Procedures, month.DaysActive
	st := e.Stats
	mv.Households, mv.Procedures, mv.Days = st.Households, st.TotalProcedures, st.TotalDaysActive
	mv.Passed, mv.Failed, mv.Unreachable = st.Checks.Passed, st.Checks.Failed, st.Checks.Unreachable
	switch {
	case ok:
		mv.Award, mv.AwardNeed, mv.Selected = s.individualStanding(z, e)
	case v.Role != campaign.RoleAdmin:
		mv.Award = "Chưa có báo cáo nào nên chưa được xét khen thưởng cá nhân."
	}
	mv.Calendar, mv.OlderMonths = splitMonths(calendar(p, z.at, func(from, to scoring.Date) []dayCell {
		cells := make([]dayCell, scoring.DaysBetween(from, to)+1)
		for i := range cells {
			d := from.AddDays(i)
			c := dayCell{Day: d.Day}
			switch {
			case !p.InCampaign(d):
				c.Class, c.Title = "ngoai", "ngoài thời gian phong trào"
			case d.After(z.at):
				c.Class, c.Title = "sap", "chưa đến"
			case active[d]:
				c.Class, c.Title = "dat", "có báo cáo"
			case p.IsDayOff(d):
				c.Class, c.Title = "nghi", "ngày nghỉ"
			case d == z.at:
				c.Class, c.Title = "mo", "hôm nay, chưa có báo cáo"
			default:
				c.Class, c.Title = "trong", "không có báo cáo"
			}
			c.Title = d.String() + ": " + c.Title
			cells[i] = c
		}
		return cells
	}))
	s.renderFor(w, r, http.StatusOK, v, "me", "", s.asOf(z), mv)
	return nil
}

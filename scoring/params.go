package scoring

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// Params are the campaign's rules (configuration keys campaign.* and
// awards.*), with the plan's numbers as defaults.
//
// Days off (campaign.days_off) are neutral days: they are not counted in
// "days elapsed" nor in "days met", a day off never breaks a streak and
// never lengthens one, and households guided on a day off still count for
// every household figure (guided, coverage, special prize, officers).
type Params struct {
	CampaignStart, CampaignEnd Date
	// DailyTarget is the number of distinct households a hamlet must guide
	// in a day for the day to be met.
	DailyTarget int
	// DaysOff are campaign days on which nobody is expected to report.
	DaysOff []Date
	// CoverageThreshold is the share of a hamlet's households that must be
	// able to file online for the collective award (0.95 = 95%). It is
	// compared exactly, to a millionth (0.0001%).
	CoverageThreshold float64
	// SpecialHouseholdThreshold: hamlets with at least this many households
	// need 1 procedure per household for the special prize, smaller ones 2.
	SpecialHouseholdThreshold int
	// SpecialMinShare is the share of a hamlet's register that must have
	// been guided through the required number of procedures for the hamlet
	// to be eligible for a special prize (phần quà khen thưởng riêng),
	// compared exactly like CoverageThreshold (configuration key
	// awards.special_min_share). Zero means DefaultSpecialMinShare.
	SpecialMinShare float64
	MaxCollectives  int // at most this many collective awards
	MaxIndividuals  int // at most this many individual awards
	SpecialPrizes   int // number of special prizes
}

// DefaultSpecialMinShare is the special-prize condition when none is
// configured: 95% of the register, the same bar as the collective award.
const DefaultSpecialMinShare = 0.95

// SpecialShare is the special-prize condition in force: SpecialMinShare,
// or DefaultSpecialMinShare when it is zero.
func (p Params) SpecialShare() float64 {
	if p.SpecialMinShare == 0 {
		return DefaultSpecialMinShare
	}
	return p.SpecialMinShare
}

// MeetsSpecialCondition reports exactly (in integers, like ReachesCoverage)
// whether done households of a register of households meet the special
// prize condition: done ≥ SpecialShare × households. A hamlet without
// households never does.
func (p Params) MeetsSpecialCondition(done, households int) bool {
	if households <= 0 {
		return false
	}
	return int64(done)*1_000_000 >= thresholdPPM(p.SpecialShare())*int64(households)
}

// SpecialNeeded is the smallest number of households, of a register of
// households, that meets the special-prize condition (0 without households).
func (p Params) SpecialNeeded(households int) int {
	if households <= 0 {
		return 0
	}
	return int((thresholdPPM(p.SpecialShare())*int64(households) + 999_999) / 1_000_000)
}

// DefaultParams are the plan's numbers: the whole of 2026, one household a
// day, 95% coverage, 365 households for the special-prize rule, 95% of the
// register meeting it, 6 collectives, 26 individuals, 3 special prizes, no
// days off.
func DefaultParams() Params {
	return Params{
		CampaignStart:             Date{2026, time.January, 1},
		CampaignEnd:               Date{2026, time.December, 31},
		DailyTarget:               1,
		CoverageThreshold:         0.95,
		SpecialHouseholdThreshold: 365,
		SpecialMinShare:           DefaultSpecialMinShare,
		MaxCollectives:            6,
		MaxIndividuals:            26,
		SpecialPrizes:             3,
	}
}

// Validate says what is wrong with p, naming the configuration key to fix.
func (p Params) Validate() error {
	var errs []error
	if p.CampaignStart.IsZero() || p.CampaignEnd.IsZero() {
		errs = append(errs, errors.New("campaign.start và campaign.end phải có ngày bắt đầu và ngày kết thúc"))
	} else if p.CampaignEnd.Before(p.CampaignStart) {
		errs = append(errs, fmt.Errorf("campaign.end (%s) phải sau campaign.start (%s)", p.CampaignEnd, p.CampaignStart))
	}
	if p.DailyTarget < 1 {
		errs = append(errs, fmt.Errorf("campaign.daily_target phải từ 1 trở lên, hiện là %d", p.DailyTarget))
	}
	if !(p.CoverageThreshold > 0 && p.CoverageThreshold <= 1) || math.IsNaN(p.CoverageThreshold) {
		errs = append(errs, fmt.Errorf("awards.coverage_threshold phải lớn hơn 0 và không quá 1 (0.95 là 95%%), hiện là %v", p.CoverageThreshold))
	}
	if p.SpecialHouseholdThreshold < 1 {
		errs = append(errs, fmt.Errorf("awards.special_household_threshold phải từ 1 trở lên, hiện là %d", p.SpecialHouseholdThreshold))
	}
	if s := p.SpecialMinShare; s != 0 && (!(s > 0 && s <= 1) || math.IsNaN(s)) {
		errs = append(errs, fmt.Errorf("awards.special_min_share phải lớn hơn 0 và không quá 1 (0.95 là 95%%), hiện là %v", s))
	}
	if p.MaxCollectives < 0 {
		errs = append(errs, fmt.Errorf("awards.max_collectives không được âm, hiện là %d", p.MaxCollectives))
	}
	if p.MaxIndividuals < 0 {
		errs = append(errs, fmt.Errorf("awards.max_individuals không được âm, hiện là %d", p.MaxIndividuals))
	}
	if p.SpecialPrizes < 0 {
		errs = append(errs, fmt.Errorf("awards.special_prizes không được âm, hiện là %d", p.SpecialPrizes))
	}
	return errors.Join(errs...)
}

// Campaign is the whole campaign as a period: Year(y) when it is exactly a
// calendar year, otherwise a Range.
func (p Params) Campaign() Period {
	s, e := p.CampaignStart, p.CampaignEnd
	if s.Year == e.Year && s.Month == time.January && s.Day == 1 && e.Month == time.December && e.Day == 31 {
		return Year(s.Year)
	}
	return Range(s, e)
}

// InCampaign reports whether d is a campaign day.
func (p Params) InCampaign(d Date) bool {
	return !d.Before(p.CampaignStart) && !d.After(p.CampaignEnd)
}

// IsDayOff reports whether d is one of the configured days off.
func (p Params) IsDayOff(d Date) bool { return slices.Contains(p.DaysOff, d) }

// RequiredProcedures is k for a hamlet of n households: 1 when n is at
// least SpecialHouseholdThreshold, otherwise 2.
func (p Params) RequiredProcedures(households int) int {
	if households >= p.SpecialHouseholdThreshold {
		return 1
	}
	return 2
}

// ReachesCoverage reports exactly whether able of households reach the
// coverage threshold (no floating-point rounding: 9499 of 10000 fails
// 95%, 9500 passes). A hamlet without households never reaches it.
func (p Params) ReachesCoverage(able, households int) bool {
	if households <= 0 {
		return false
	}
	return int64(able)*1_000_000 >= thresholdPPM(p.CoverageThreshold)*int64(households)
}

// thresholdPPM is the threshold in millionths, rounded to the nearest.
func thresholdPPM(t float64) int64 { return int64(math.Round(t * 1_000_000)) }

package scoring

// Spot-check results as stored on a record.
const (
	CheckPassed      = "passed"      // Đạt
	CheckFailed      = "failed"      // Không đạt
	CheckUnreachable = "unreachable" // Chưa liên lạc được
)

// What an exclusion applies to.
const (
	ExcludeOfficer = "officer"
	ExcludeHamlet  = "hamlet"
)

// Hamlet is one ấp with the number of households in its register.
type Hamlet struct {
	ID, Name   string
	Households int
}

// HamletDay is the number of distinct households given guidance (by active
// records) in one hamlet on one day. Households recorded as already able
// never appear here. One row per hamlet and day is expected; rows repeated
// for the same hamlet and day are added together.
type HamletDay struct {
	HamletID   string
	Date       Date
	Households int
}

// Household is what scoring needs to know about one household.
type Household struct {
	HamletID string
	// GuidedFrom is the first day an active record guided the household;
	// zero when no active record did.
	GuidedFrom Date
	// SelfAbleFrom is the day the household was recorded as already able to
	// file online on its own; zero when it was not.
	SelfAbleFrom Date
	// ProcedureDates holds, for each distinct procedure guided to the
	// household by active records, the first day it was guided (ascending).
	ProcedureDates []Date
}

// Officer is a person who reports guided households.
type Officer struct {
	ID       int64
	Name     string
	HamletID string
	// Active is false once an admin deactivated the officer; their records
	// still count and they stay eligible for awards (deactivation is not a
	// sanction: exclusions are).
	Active bool
}

// OfficerDay is one officer's work on one day: distinct households guided
// and procedures guided (active records only). One row per officer and day
// is expected.
type OfficerDay struct {
	OfficerID  int64
	Date       Date
	Households int
	Procedures int
}

// OfficerHousehold is one distinct (officer, household) pair with an active
// record; First is the first day that officer guided that household.
type OfficerHousehold struct {
	OfficerID int64
	First     Date
}

// Check is the result of one spot check of a guidance record, or of a
// household recorded as able on its own (HouseholdID set, GuidanceID 0).
// The store should supply failed checks even for records retracted (or
// households unmarked) afterwards, so that undoing a record cannot undo a
// failed check.
type Check struct {
	GuidanceID uint64
	// HouseholdID is the self-declared household checked (0 for a check of
	// a guidance record).
	HouseholdID uint64
	HamletID    string
	// OfficerID is the officer who reported the record, or who recorded
	// the self-declared household.
	OfficerID int64
	Date      Date // the day the result was recorded; zero counts at any date
	Status    string
	Reason    string
}

// Exclusion takes an officer or a hamlet out of every award (discipline,
// investigation, inspection, complaint).
type Exclusion struct {
	Kind   string // ExcludeOfficer or ExcludeHamlet
	Target string // hamlet id, or the officer id in decimal (anything else matches nobody)
	Reason string
	Since  Date // first day in force; zero means always
	// Until is the day the exclusion was lifted (no longer in force from
	// that day); zero means still in force. Added so that candidates "as
	// of" an earlier date stay right after an exclusion is lifted.
	Until Date
}

// InForce reports whether the exclusion applies on day at.
func (e Exclusion) InForce(at Date) bool {
	return (e.Since.IsZero() || !e.Since.After(at)) && (e.Until.IsZero() || at.Before(e.Until))
}

// Facts is everything the store supplies for one computation. Facts dated
// after the as-of date are ignored, so the store may pass everything it has.
// Facts may also be narrowed to one hamlet or officer: its figures are the
// same as with all the facts.
type Facts struct {
	Hamlets           []Hamlet
	HamletDays        []HamletDay
	Households        []Household
	Officers          []Officer
	OfficerDays       []OfficerDay
	OfficerHouseholds []OfficerHousehold
	Checks            []Check
	Exclusions        []Exclusion
}

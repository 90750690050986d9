// Package scoring turns the figures the store supplies (per-hamlet and
// per-officer daily aggregates, households, spot checks, exclusions) into
// what leaders and admins see: days met, streaks, coverage, special-prize
// progress, leaderboards and award candidates with the reason for every
// inclusion and exclusion.
//
// Everything here is a pure function: no I/O, no clock reads, standard
// library only. Every figure is computed "as of" a local civil day: facts
// dated after it are ignored, so the same call answers "today" and "as of
// 30/06/2026".
//
// # Rules as implemented
//
//   - A day is a civil day in the campaign time zone (DateOf with
//     Asia/Ho_Chi_Minh): 23:59:59 and 00:00:00 fall on two days.
//   - A hamlet's day is met when at least Params.DailyTarget distinct
//     households were guided by active records that day. Households
//     recorded as already able count for coverage only. A retracted record
//     is simply absent from the facts.
//   - Days off (Params.DaysOff) are neutral: not elapsed, not met, they
//     neither break nor lengthen a streak; households guided on them count
//     for every household figure.
//   - Period figures count days from the period's start to the earlier of
//     its end and the as-of day, within the campaign. Period sums of
//     households add each day's distinct households: a household guided on
//     two days counts twice (the distinct figures are HouseholdsGuided and
//     NewGuided).
//   - The current streak ends on the as-of day when it is met, otherwise on
//     the working day before it: the streak shown during a day does not
//     drop to 0 at 00:01, only once a whole working day passed unmet.
//   - Coverage = able ÷ households in the register, clamped to [0, 1];
//     able = guided ∪ recorded as already able. The threshold is compared
//     exactly in integers (9,499 of 10,000 fails 95%; 9,500 passes), and
//     percentages are shown truncated with one decimal and a comma
//     ("94,9%", thresholds "95,0%"), never rounded up.
//   - A hamlet never shows more able households than its register: the
//     excess is kept apart (HamletStats.Excess, RegisterWarning asks admins
//     to correct the register) and never raises a rank.
//   - Special prize («phần quà khen thưởng riêng»): k = 1 procedure per
//     household when the hamlet has at least SpecialHouseholdThreshold
//     (365) households, else 2; progress = households with ≥ k distinct
//     procedures ÷ households. A hamlet is eligible only when that share
//     reaches SpecialMinShare (95%) exactly; fewer eligible hamlets than
//     prizes means fewer prizes (Awards.SpecialNote).
//   - Beyond a cap, hamlets that meet the standard are said to: «đủ tiêu
//     chuẩn, vượt số lượng 06 — Hội đồng xét». The individuals list is a
//     proposal ranked by figures («đề nghị xét»).
//   - The campaign runs from the first instant of CampaignStart to the last
//     of CampaignEnd in the campaign time zone (InCampaignAt,
//     CheckReportTime); figures stop by default at the earlier of today and
//     the last day (FiguresAt); the sơ kết always covers the first six
//     months (ReviewPeriod).
//   - A failed spot check (dated on or before the as-of day) excludes the
//     record's hamlet and the officer who reported it from every award. An
//     exclusion excludes its hamlet or officer while in force; an excluded
//     officer does not exclude their hamlet. Deactivated officers stay
//     eligible (deactivation is not a sanction).
//   - Ties are broken as Candidates, Leaderboard and TopOfficers document;
//     a candidate left out by a cap while equal on every figure to the last
//     one selected is flagged Tie, so the council can see the cut fell on
//     the final tie-break.
//
// The store may pass every fact it has, or narrow them to one hamlet or one
// officer: that hamlet's or officer's figures are the same either way. Rows
// may come in any order; sorted rows (by day within each hamlet) take a
// faster path.
package scoring

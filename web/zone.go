package web

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"dvcbot/scoring"
)

// zone is the zone's figures as of one day, computed from one read of
// every fact: today's leaderboard as /xephang ranks it (scoring.Leaderboard),
// the award candidates as /khenthuong draws them (scoring.Candidates as of
// the day figures stop at: today, at most the campaign's last day),
// the weekly trend and the spot-check tallies. Pages read it without
// touching the store again; it holds derived figures only, never the facts.
type zone struct {
	version uint64
	built   time.Time // when the facts were read: the figures stop here
	at      scoring.Date

	ranks    []scoring.HamletRank // today's leaderboard
	byHamlet map[string]int       // index in ranks
	campaign map[string]scoring.HamletStats
	totals   scoring.Totals
	awards   scoring.Awards
	weeks    []weekPoint
	spot     map[string]SpotTally

	collective map[string]standing
	special    map[string]standing
	officers   map[string][]officerEntry // by hamlet, in candidate order
	officer    map[int64]officerEntry
	// lastIndividual is the last officer selected for the individual award
	// (nil when none is): what an officer not selected must pass.
	lastIndividual *scoring.OfficerStats

	// bodies are pages rendered from these figures, shared by every viewer
	// who sees the same links (see bodyKey): key → template.HTML.
	bodies sync.Map
}

// standing is a candidate's place in an award list: its rank among those
// selected (0 when not selected) and the reasons scoring gives.
type standing struct {
	Rank    int
	Reasons []string
	Tie     bool
	// MeetsStandard: the hamlet meets the award's standard (or the special
	// prize's condition), selected or beyond the cap.
	MeetsStandard bool
}

// officerEntry is an officer's campaign figures and individual standing.
type officerEntry struct {
	Stats    scoring.OfficerStats
	Standing standing
}

// weekPoint is the households guided in one week (Monday to Sunday) of
// the campaign, added up day by day as period figures are.
type weekPoint struct {
	From, To   scoring.Date
	Households int
	// Ongoing marks the week of the as-of day while it is not over.
	Ongoing bool
}

// buildZone computes the zone's figures as of day at.
func buildZone(d ZoneData, p scoring.Params, at scoring.Date, built time.Time) *zone {
	f := d.Facts
	z := &zone{version: d.Version, built: built, at: at, spot: d.Spot,
		ranks:  scoring.Leaderboard(f, p, at),
		awards: scoring.Candidates(f, p, p.FiguresAt(at)),
	}
	if z.spot == nil {
		z.spot = map[string]SpotTally{}
	}
	z.byHamlet = make(map[string]int, len(z.ranks))
	stats := make([]scoring.HamletStats, len(z.ranks))
	for i, r := range z.ranks {
		z.byHamlet[r.Hamlet.ID] = i
		stats[i] = r.HamletStats
	}
	z.totals = scoring.Sum(stats)

	a := z.awards
	z.campaign = make(map[string]scoring.HamletStats, len(z.ranks))
	z.collective = make(map[string]standing, len(z.ranks))
	for _, c := range slices.Concat(a.Collectives, a.NotSelected.Collectives) {
		z.campaign[c.Stats.Hamlet.ID] = c.Stats
		z.collective[c.Stats.Hamlet.ID] = standing{Rank: c.Rank, Reasons: c.Reasons, Tie: c.Tie, MeetsStandard: c.MeetsStandard}
	}
	z.special = make(map[string]standing, len(z.ranks))
	for _, c := range slices.Concat(a.Special, a.NotSelected.Special) {
		z.special[c.Stats.Hamlet.ID] = standing{Rank: c.Rank, Reasons: c.Reasons, Tie: c.Tie, MeetsStandard: c.MeetsStandard}
	}
	if n := len(a.Individuals); n > 0 {
		z.lastIndividual = &a.Individuals[n-1].Stats
	}
	z.officers = map[string][]officerEntry{}
	z.officer = map[int64]officerEntry{}
	for _, c := range slices.Concat(a.Individuals, a.NotSelected.Individuals) {
		e := officerEntry{Stats: c.Stats, Standing: standing{Rank: c.Rank, Reasons: c.Reasons, Tie: c.Tie}}
		z.officer[c.Stats.Officer.ID] = e
		z.officers[c.Stats.Officer.HamletID] = append(z.officers[c.Stats.Officer.HamletID], e)
	}
	z.weeks = weeklyTrend(f.HamletDays, z.byHamlet, p, at)
	return z
}

// hamlet is a hamlet's row of today's ranking; nil when the zone has no
// such hamlet.
func (z *zone) hamlet(id string) *scoring.HamletRank {
	if i, ok := z.byHamlet[id]; ok {
		return &z.ranks[i]
	}
	return nil
}

// zoneHamlet is the zone's figures for now and one hamlet's row of its
// ranking; errNotFound when there is no such hamlet.
func (s *Server) zoneHamlet(ctx context.Context, id string) (*zone, *scoring.HamletRank, error) {
	z, err := s.zone(ctx)
	if err != nil {
		return nil, nil, err
	}
	rk := z.hamlet(id)
	if rk == nil {
		return nil, nil, errNotFound
	}
	return z, rk, nil
}

// weeklyTrend adds up the households guided each week (Monday to Sunday,
// the first and last weeks clipped to the campaign) from the campaign's
// start to day at, over the known hamlets. The sums are those of
// scoring.Hamlets' GuidedInPeriod for each week.
func weeklyTrend(days []scoring.HamletDay, known map[string]int, p scoring.Params, at scoring.Date) []weekPoint {
	end := p.FiguresAt(at)
	if end.Before(p.CampaignStart) {
		return nil
	}
	monday := mondayOf(p.CampaignStart)
	n := scoring.DaysBetween(monday, end)/7 + 1
	out := make([]weekPoint, n)
	for i := range out {
		sunday := monday.AddDays(7*i + 6)
		out[i].From = maxDate(monday.AddDays(7*i), p.CampaignStart)
		out[i].To = minDate(sunday, end)
		out[i].Ongoing = out[i].To == at && at.Before(sunday) && at.Before(p.CampaignEnd)
	}
	for _, d := range days {
		if d.Households <= 0 || d.Date.Before(p.CampaignStart) || d.Date.After(end) {
			continue
		}
		if _, ok := known[d.HamletID]; !ok {
			continue
		}
		out[scoring.DaysBetween(monday, d.Date)/7].Households += d.Households
	}
	return out
}

// mondayOf is the Monday on or before d.
func mondayOf(d scoring.Date) scoring.Date { return d.AddDays(-((int(d.Weekday()) + 6) % 7)) }

func maxDate(a, b scoring.Date) scoring.Date {
	if a.After(b) {
		return a
	}
	return b
}

func minDate(a, b scoring.Date) scoring.Date {
	if a.Before(b) {
		return a
	}
	return b
}

// zoneCache keeps the last zone computed and builds a new one when the
// store changed or the day turned. While a newer one is being built, the
// last one is served if it is at most maxStale old (stale while
// revalidating: a hundred leaders opening the page at 20:00 wait for no
// computation, and at country scale, where reports change the store every
// second, the page is served from figures at most maxStale old); a request
// with nothing usable waits for the build in progress.
type zoneCache struct {
	mu       sync.Mutex
	cur      *zone
	building chan struct{} // closed when the build in progress ends
	err      error         // the last build's error
}

// zone returns the zone's figures for now.
func (s *Server) zone(ctx context.Context) (*zone, error) {
	now := s.now()
	at := scoring.DateOf(now, s.loc)
	ver, err := s.src.Version(ctx)
	if err != nil {
		return nil, fmt.Errorf("web: store version: %w", err)
	}
	c := &s.zones
	c.mu.Lock()
	cur := c.cur
	if cur != nil && cur.at == at && cur.version == ver {
		c.mu.Unlock()
		return cur, nil
	}
	if c.building == nil {
		done := make(chan struct{})
		c.building = done
		s.bg.Add(1)
		go func() { defer s.bg.Done(); s.buildZone(done) }()
	}
	wait := c.building
	c.mu.Unlock()
	if cur != nil && cur.at == at && now.Sub(cur.built) <= s.opt.MaxStale {
		return cur, nil
	}
	select {
	case <-wait:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return nil, c.err
	}
	return c.cur, nil
}

// buildZone reads the facts and computes the zone's figures, then closes
// done. It runs on the server's own context (Close cancels it), not on the
// request that started it: other requests wait for the same build.
func (s *Server) buildZone(done chan struct{}) {
	ctx, cancel := context.WithTimeout(s.ctx, 5*time.Minute)
	defer cancel()
	built := s.now()
	d, err := s.src.Zone(ctx)
	var z *zone
	if err == nil {
		z = buildZone(d, s.opt.Params, scoring.DateOf(built, s.loc), built)
	}
	c := &s.zones
	c.mu.Lock()
	c.err = err
	if err == nil {
		c.cur = z
	} else {
		s.log.Error("web: zone figures", "err", err)
	}
	c.building = nil
	c.mu.Unlock()
	close(done)
}

// Warm computes the zone's figures now, so that the first leader to open
// the page does not wait for them (at country scale they take seconds).
func (s *Server) Warm(ctx context.Context) error {
	_, err := s.zone(ctx)
	return err
}

package bot

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"dvcbot/chat"

	"dvcbot/campaign"
	"dvcbot/dossier"
	"dvcbot/export"
	"dvcbot/scoring"
	"dvcbot/store"
)

// Award dossiers (/hoso and `dvcbot dossier`): for one hamlet, the Hamlet
// Board's proposal (Tờ trình), the minutes of its review meeting (Biên bản
// họp xét) and the evidence list (XLSX annex), built from the hamlet's
// figures over the campaign as of a day.

// DossierZone is the special zone named in the documents' headings.
const DossierZone = "Kiên Hải"

// HamletDossier is one hamlet's award dossier as of a day.
type HamletDossier struct {
	// Input is what the documents say (dossier.Proposal, dossier.Minutes).
	Input dossier.Input
	// Evidence is the XLSX evidence list, the dossier's annex.
	Evidence []byte
	// Records is the number of guidance records in Evidence.
	Records int
	// Rank is the hamlet's place among the collective award candidates
	// (0 when it is not proposed).
	Rank int
	// Reasons say why the collective is not proposed (empty when it is).
	Reasons []string
}

// Dossier builds a hamlet's award dossier as of day at, reading the store
// in one read transaction. An unknown hamlet is an error wrapping
// store.ErrNotFound.
func (e *Engine) Dossier(ctx context.Context, hamletID string, at scoring.Date) (HamletDossier, error) {
	if err := ctx.Err(); err != nil {
		return HamletDossier{}, err
	}
	var d HamletDossier
	err := e.db.View(func(tx *store.Tx) (err error) {
		d, err = e.buildDossier(tx, hamletID, at)
		return err
	})
	return d, err
}

// buildDossier gathers the hamlet's figures, its proposed individuals and
// the evidence annex.
func (e *Engine) buildDossier(tx *store.Tx, hamletID string, at scoring.Date) (HamletDossier, error) {
	var d HamletDossier
	h, err := tx.Hamlet(hamletID)
	if err != nil {
		return d, fmt.Errorf("dossier: %w", err)
	}
	loc := e.set.Location
	p := e.set.Params
	f, err := tx.Facts("")
	if err != nil {
		return d, fmt.Errorf("dossier %s: facts: %w", hamletID, err)
	}
	var hs scoring.HamletStats
	for _, s := range scoring.Hamlets(f, p, p.Campaign(), at) {
		if s.Hamlet.ID == hamletID {
			hs = s
		}
	}
	awards := scoring.Candidates(f, p, at)

	in := dossier.Input{
		Zone:      DossierZone,
		Campaign:  e.set.CampaignName,
		Date:      at.Time(loc),
		Threshold: p.CoverageThreshold,
		Hamlet: dossier.Hamlet{
			ID: h.ID, Name: h.Name, Households: h.Households,
			Guided: hs.HouseholdsGuided, Able: hs.Able, Coverage: hs.Coverage,
			K: hs.K, SpecialProgress: hs.SpecialProgress,
			DaysMet: hs.DaysMet, DaysElapsed: hs.DaysElapsed, LongestStreak: hs.LongestStreak,
			ChecksPassed: hs.Checks.Passed, ChecksFailed: hs.Checks.Failed, ChecksUnreachable: hs.Checks.Unreachable,
			From: p.CampaignStart.Time(loc), To: at.Time(loc),
		},
	}
	if !hs.ReachedOn.IsZero() {
		in.Hamlet.CoverageReachedOn = hs.ReachedOn.Time(loc)
	}

	// The collective.
	for _, c := range awards.Collectives {
		if c.Stats.Hamlet.ID == hamletID {
			in.Eligible, d.Rank = true, c.Rank
			in.Notes = append(in.Notes, fmt.Sprintf("Tập thể xếp thứ %d/%d trong danh sách đề nghị khen thưởng tập thể của đặc khu tính đến ngày %s: %s.",
				c.Rank, p.MaxCollectives, at, c.Reason()))
		}
	}
	if !in.Eligible {
		for _, c := range awards.NotSelected.Collectives {
			if c.Stats.Hamlet.ID == hamletID {
				d.Reasons = c.Reasons
			}
		}
		if len(d.Reasons) == 0 {
			d.Reasons = []string{"không có trong danh sách đề nghị khen thưởng tập thể"}
		}
		in.Notes = append(in.Notes, fmt.Sprintf("Tập thể chưa đủ điều kiện đề nghị khen thưởng tính đến ngày %s: %s.",
			at, strings.Join(d.Reasons, "; ")))
	}
	for _, c := range awards.Special {
		if c.Stats.Hamlet.ID == hamletID {
			in.Notes = append(in.Notes, fmt.Sprintf("Ấp thuộc nhóm %d ấp tiêu biểu đề nghị phần quà khen thưởng riêng (xếp thứ %d): %s.",
				p.SpecialPrizes, c.Rank, c.Reason()))
		}
	}

	// The individuals: those of the hamlet that scoring selects.
	stored, err := tx.Officers()
	if err != nil {
		return d, fmt.Errorf("dossier %s: officers: %w", hamletID, err)
	}
	byID := map[campaign.PersonID]campaign.Officer{}
	for _, o := range stored {
		byID[o.ID] = o
		if o.HamletID == hamletID && o.Role == campaign.RoleLeader && o.Active && in.Leader == "" {
			in.Leader = o.FullName
		}
	}
	for _, c := range awards.Individuals {
		s := c.Stats
		if s.Officer.HamletID != hamletID {
			continue
		}
		role := "Cán bộ ấp " + h.Name
		if byID[campaign.PersonID(s.Officer.ID)].Role == campaign.RoleLeader {
			role = "Trưởng ấp " + h.Name
		}
		in.Individuals = append(in.Individuals, dossier.Individual{Name: s.Officer.DisplayName(), Role: role,
			Households: s.Households, Procedures: s.TotalProcedures, DaysActive: s.TotalDaysActive})
	}
	for _, c := range awards.NotSelected.Individuals {
		s := c.Stats
		if s.Officer.HamletID != hamletID || (s.Households == 0 && s.Eligible()) {
			continue
		}
		in.Notes = append(in.Notes, fmt.Sprintf("Cá nhân %s chưa được đề nghị khen thưởng: %s.", s.Officer.DisplayName(), c.Reason()))
	}

	// Checks still awaiting a call count in the total drawn.
	end := at.AddDays(1).Time(loc)
	pending, err := pendingChecks(tx, hamletID, end)
	if err != nil {
		return d, err
	}
	in.Hamlet.ChecksTotal = hs.Checks.Passed + hs.Checks.Failed + hs.Checks.Unreachable + pending

	// The evidence annex, and the procedures guided, from the records.
	names := map[string]string{}
	for _, pr := range e.set.Procedures {
		names[pr.ID] = pr.Name
	}
	counts := map[string]int{}
	var rows []export.EvidenceRow
	err = tx.EachEvidence(p.CampaignStart.Time(loc), end, hamletID, func(ev store.Evidence) error {
		for _, id := range ev.Guidance.Procedures {
			counts[id]++
			in.Hamlet.Procedures++
		}
		rows = append(rows, export.EvidenceRow{
			HamletID: ev.Hamlet.ID, HamletName: ev.Hamlet.Name,
			HouseholdName: ev.Household.HeadName, Address: ev.Household.Address, Phone: ev.Household.Phone,
			Procedures: ev.Guidance.Procedures, OtherProcedure: ev.Guidance.OtherProcedure,
			OfficerName: ev.Officer.FullName, OfficerChannel: ev.Guidance.Via.Channel, OfficerAccount: ev.Guidance.Via.ID,
			ReportedAt: ev.Guidance.At, Check: ev.Guidance.Check,
		})
		return nil
	})
	if err != nil {
		return d, fmt.Errorf("dossier %s: evidence: %w", hamletID, err)
	}
	in.Hamlet.ProceduresByName = procedureCounts(counts, e.set.Procedures)
	var buf bytes.Buffer
	if err := export.WriteXLSX(&buf, loc, export.SliceRows(rows), names); err != nil {
		return d, fmt.Errorf("dossier %s: evidence annex: %w", hamletID, err)
	}
	d.Input, d.Evidence, d.Records = in, buf.Bytes(), len(rows)
	return d, nil
}

// pendingChecks counts the hamlet's records drawn for a spot check before
// end that still await a result.
func pendingChecks(tx *store.Tx, hamletID string, end time.Time) (int, error) {
	samples, err := tx.SpotSamples()
	if err != nil {
		return 0, err
	}
	n := 0
	for _, s := range samples {
		if !s.At.Before(end) {
			continue
		}
		for _, id := range s.Guidance {
			g, err := tx.Guidance(id)
			if err != nil {
				return 0, err
			}
			if g.HamletID == hamletID && g.Counts() && g.Check == campaign.CheckNone {
				n++
			}
		}
	}
	return n, nil
}

// procedureCounts lists the procedures guided, most frequent first, then
// in catalogue order.
func procedureCounts(counts map[string]int, catalogue []campaign.Procedure) []dossier.NameCount {
	pos := map[string]int{}
	for i, p := range catalogue {
		pos[p.ID] = i
	}
	ids := make([]string, 0, len(counts))
	for id := range counts {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b string) int {
		if c := cmp.Compare(counts[b], counts[a]); c != 0 {
			return c
		}
		pa, oka := pos[a]
		pb, okb := pos[b]
		switch {
		case oka && okb:
			return cmp.Compare(pa, pb)
		case oka != okb:
			if oka {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	out := make([]dossier.NameCount, 0, len(ids))
	for _, id := range ids {
		name := id
		if i, ok := pos[id]; ok {
			name = catalogue[i].Name
		}
		out = append(out, dossier.NameCount{Name: name, Count: counts[id]})
	}
	return out
}

// Status is a short Vietnamese statement of whether the collective is
// proposed and why not, with the individuals proposed.
func (d HamletDossier) Status() string {
	var b strings.Builder
	if d.Input.Eligible {
		fmt.Fprintf(&b, "Ấp %s đủ điều kiện đề nghị khen thưởng tập thể (xếp thứ %d).", d.Input.Hamlet.Name, d.Rank)
	} else {
		fmt.Fprintf(&b, "Ấp %s CHƯA đủ điều kiện khen thưởng tập thể: %s. Hồ sơ vẫn được lập để tham khảo; lý do đã ghi trong phần ghi chú của văn bản.",
			d.Input.Hamlet.Name, limitRunes(strings.Join(d.Reasons, "; "), 400))
	}
	if n := len(d.Input.Individuals); n > 0 {
		fmt.Fprintf(&b, " Cá nhân đề nghị: %d.", n)
	} else {
		b.WriteString(" Không có cá nhân nào của ấp được đề nghị.")
	}
	return b.String()
}

// cmdDossier (/hoso <hamlet-id>) sends the hamlet's award dossier: the
// Tờ trình and the Biên bản as DOCX, the evidence list as XLSX.
func (c *cx) cmdDossier(args string) error {
	f := strings.Fields(args)
	if len(f) != 1 {
		c.reply("Cách dùng: " + code("/hoso <mã ấp>") + " — lập hồ sơ đề nghị khen thưởng của ấp (Tờ trình, Biên bản họp xét, danh sách hộ).\nVí dụ: " + chat.CodeStart + "/hoso " +
			plain(c.firstHamletID()) + chat.CodeEnd + "\n\n" + c.hamletList())
		return nil
	}
	h, ok, err := c.hamletArg(f[0], "")
	if !ok {
		return err
	}
	// The documents are built after the commit, outside the write
	// transaction every report shares.
	c.afterCommit(func(c *cx) error { return c.sendDossier(h) })
	return nil
}

// sendDossier builds and sends /hoso's documents (after the commit).
func (c *cx) sendDossier(h campaign.Hamlet) error {
	at := c.e.scoringDate(c.now)
	d, err := c.e.buildDossier(c.tx, h.ID, at)
	if err != nil {
		return err
	}
	minutes, err := dossier.Minutes(d.Input)
	if err != nil {
		return fmt.Errorf("hoso %s: minutes: %w", h.ID, err)
	}
	proposal, err := dossier.Proposal(d.Input)
	if err != nil && !errors.Is(err, dossier.ErrNothingToPropose) {
		return fmt.Errorf("hoso %s: proposal: %w", h.ID, err)
	}
	if err := c.audit("dossier.export", nil, map[string]any{"hamlet": h.ID, "at": at.String(), "records": d.Records}); err != nil {
		return err
	}
	mark := "✅ "
	if !d.Input.Eligible {
		mark = "⚠️ "
	}
	status := mark + plain(d.Status())
	head := "📄 " + chat.BoldStart + "Hồ sơ khen thưởng ấp " + plain(h.Name) + chat.BoldEnd + ", số liệu tính đến ngày " + at.String() + ".\n"
	if proposal != nil {
		c.replies = append(c.replies, chat.Reply{To: c.in.Chat, Text: head + "Tờ trình đề nghị khen thưởng (Word, sửa được trước khi ký).\n" + status,
			File: &chat.File{Name: h.ID + dossier.SuffixProposal, Bytes: proposal}})
	} else {
		c.reply(head + status + "\nKhông lập Tờ trình vì không có tập thể hay cá nhân nào của ấp được đề nghị; vẫn gửi Biên bản họp xét và danh sách hộ.")
	}
	c.replies = append(c.replies,
		chat.Reply{To: c.in.Chat, Text: "📄 Biên bản họp xét thi đua, khen thưởng ấp " + plain(h.Name) + " (Word), có số liệu minh chứng; để trống chỗ ghi thành phần, biểu quyết và chữ ký.",
			File: &chat.File{Name: h.ID + dossier.SuffixMinutes, Bytes: minutes}},
		chat.Reply{To: c.in.Chat, Text: "📎 Phụ lục: danh sách " + scoring.Number(d.Records) + " lượt hộ được hướng dẫn của ấp " + plain(h.Name) +
			" (Excel).\nTệp có thông tin cá nhân của người dân: chỉ dùng cho hồ sơ, không chuyển tiếp vào nhóm.",
			File: &chat.File{Name: h.ID + dossier.SuffixEvidence, Bytes: d.Evidence}})
	return nil
}

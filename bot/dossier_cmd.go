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
	"dvcbot/evidence"
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
	// Evidence is the XLSX evidence list, the dossier's annex: the
	// hamlet's guided records and self-declared households.
	Evidence []byte
	// Tally counts the annex as its last row states it (lượt, hộ, hộ tự khai).
	Tally export.Tally
	// Records is the number of guidance records in Evidence (Tally.Reports).
	Records int
	// Rank is the hamlet's place among the collective award candidates
	// (0 when it is not among the first MaxCollectives).
	Rank int
	// Reasons say why the collective is not proposed, or, for a hamlet
	// beyond the cap (Input.BeyondCap), its figures.
	Reasons []string
	// RegisterWarning asks admins to correct the hamlet's register when
	// more households are able than it holds ("" otherwise).
	RegisterWarning string
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

// buildDossier gathers the hamlet's figures over the campaign as of day at
// (the documents say so), its proposed individuals and the evidence annex.
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
	d.RegisterWarning = hs.RegisterWarning()

	in := dossier.Input{
		Zone:          DossierZone,
		Campaign:      e.set.CampaignName,
		Date:          at.Time(loc),
		Threshold:     p.CoverageThreshold,
		SpecialShare:  p.SpecialShare(),
		CollectiveCap: p.MaxCollectives,
		Hamlet: dossier.Hamlet{
			ID: h.ID, Name: h.Name, Households: h.Households,
			Guided: hs.HouseholdsGuided, Able: hs.Able, Coverage: hs.Coverage,
			K: hs.K, SpecialProgress: hs.SpecialProgress, SpecialDone: hs.SpecialInRegister(), SpecialNeeded: hs.SpecialNeeded,
			DaysMet: hs.DaysMet, DaysElapsed: hs.DaysElapsed, LongestStreak: hs.LongestStreak,
			ChecksPassed: hs.Checks.Passed, ChecksFailed: hs.Checks.Failed, ChecksUnreachable: hs.Checks.Unreachable,
			From: p.CampaignStart.Time(loc), To: at.Time(loc),
		},
	}
	if !hs.ReachedOn.IsZero() {
		in.Hamlet.CoverageReachedOn = hs.ReachedOn.Time(loc)
	}

	// The collective: proposed, beyond the cap (for the council), or not.
	for _, c := range awards.Collectives {
		if c.Stats.Hamlet.ID == hamletID {
			in.Eligible, d.Rank = true, c.Rank
			in.Notes = append(in.Notes, fmt.Sprintf("Tập thể xếp thứ %d/%s trong danh sách đề nghị khen thưởng tập thể của đặc khu tính đến ngày %s: %s.",
				c.Rank, scoring.Count2(p.MaxCollectives), at, c.Reason()))
		}
	}
	if !in.Eligible {
		for _, c := range awards.NotSelected.Collectives {
			if c.Stats.Hamlet.ID == hamletID {
				d.Reasons, in.BeyondCap = c.Reasons, c.MeetsStandard
				if c.MeetsStandard {
					d.Reasons = []string{ownReasons(c)}
				}
			}
		}
		switch {
		case in.BeyondCap:
			in.Notes = append(in.Notes, fmt.Sprintf("Tập thể đủ tiêu chuẩn khen thưởng tập thể, vượt số lượng %s — Hội đồng xét (tính đến ngày %s): %s.",
				scoring.Count2(p.MaxCollectives), at, strings.Join(d.Reasons, "; ")))
		default:
			if len(d.Reasons) == 0 {
				d.Reasons = []string{"không có trong danh sách đề nghị khen thưởng tập thể"}
			}
			in.Notes = append(in.Notes, fmt.Sprintf("Tập thể chưa đủ tiêu chuẩn đề nghị khen thưởng tập thể tính đến ngày %s: %s.",
				at, strings.Join(d.Reasons, "; ")))
		}
	}
	for _, c := range awards.Special {
		if c.Stats.Hamlet.ID == hamletID {
			in.Notes = append(in.Notes, fmt.Sprintf("Ấp đạt điều kiện và được đề nghị nhận %s (xếp thứ %d/%s): %s.",
				scoring.SpecialPrizeName, c.Rank, scoring.Count2(p.SpecialPrizes), c.Reason()))
		}
	}
	for _, c := range awards.NotSelected.Special {
		if c.Stats.Hamlet.ID == hamletID && c.MeetsStandard {
			in.Notes = append(in.Notes, fmt.Sprintf("Ấp đạt điều kiện %s, vượt số lượng %s phần quà — Hội đồng xét: %s.",
				scoring.SpecialPrizeName, scoring.Count2(p.SpecialPrizes), ownReasons(c)))
		}
	}
	if d.RegisterWarning != "" {
		in.Notes = append(in.Notes, "Số hộ biết thực hiện chỉ tính tối đa bằng số hộ trong sổ hộ của ấp ("+scoring.Number(h.Households)+
			" hộ); số hộ được báo cáo vượt sổ "+scoring.Number(hs.Excess)+" hộ, cần đối chiếu lại sổ hộ.")
	}

	// The individuals: those of the hamlet that scoring proposes for review.
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
	var proposed []campaign.PersonID
	for _, c := range awards.Individuals {
		s := c.Stats
		if s.Officer.HamletID != hamletID {
			continue
		}
		o := byID[campaign.PersonID(s.Officer.ID)]
		role := ""
		if o.Role == campaign.RoleLeader {
			role = "Trưởng ấp"
		}
		in.Individuals = append(in.Individuals, dossier.Individual{Name: s.Officer.DisplayName(), Role: role,
			Affiliation: o.Affiliation.Label(), Households: s.Households, Procedures: s.TotalProcedures, DaysActive: s.TotalDaysActive})
		proposed = append(proposed, campaign.PersonID(s.Officer.ID))
	}
	if len(proposed) > 0 {
		// The table's total: a household two of them guided counts once.
		n, err := tx.HouseholdsGuidedBy(proposed, store.DayOfDate(at))
		if err != nil {
			return d, fmt.Errorf("dossier %s: individuals' households: %w", hamletID, err)
		}
		in.IndividualsHouseholds = n
	}
	for _, c := range awards.NotSelected.Individuals {
		s := c.Stats
		if s.Officer.HamletID != hamletID || (s.Households == 0 && s.Eligible()) {
			continue
		}
		in.Notes = append(in.Notes, fmt.Sprintf("Cá nhân %s chưa được đề nghị xét khen thưởng: %s.", s.Officer.DisplayName(), c.Reason()))
	}

	// Checks still awaiting a call count in the total drawn.
	end := at.AddDays(1).Time(loc)
	pending, err := pendingChecks(tx, hamletID, end)
	if err != nil {
		return d, err
	}
	in.Hamlet.ChecksTotal = hs.Checks.Passed + hs.Checks.Failed + hs.Checks.Unreachable + pending

	// The procedures guided, from the records, and the evidence annex:
	// the hamlet's records and self-declared households up to the day.
	counts := map[string]int{}
	rows := evidence.Rows(tx, evidence.Query{From: p.CampaignStart.Time(loc), To: end, Hamlet: hamletID})
	if err := rows(func(r export.EvidenceRow) error {
		if r.Kind == export.RowGuided {
			for _, id := range r.Procedures {
				counts[id]++
				in.Hamlet.Procedures++
			}
		}
		return nil
	}); err != nil {
		return d, fmt.Errorf("dossier %s: evidence: %w", hamletID, err)
	}
	in.Hamlet.ProceduresByName = procedureCounts(counts, e.set.Procedures)
	var buf bytes.Buffer
	tally, err := export.WriteAnnex(&buf, loc, export.Annex{
		Title:          "Danh sách hộ gia đình được hướng dẫn thực hiện dịch vụ công trực tuyến — ấp " + h.Name,
		Scope:          "Kèm theo hồ sơ đề nghị khen thưởng của Ban Nhân dân ấp " + h.Name + ", từ ngày " + p.CampaignStart.String(),
		FiguresAt:      at,
		Rows:           rows,
		ProcedureNames: e.procedureNameMap(),
	})
	if err != nil {
		return d, fmt.Errorf("dossier %s: evidence annex: %w", hamletID, err)
	}
	d.Input, d.Evidence, d.Tally, d.Records = in, buf.Bytes(), tally, tally.Reports
	return d, nil
}

// pendingChecks counts the hamlet's records and self-declared households
// drawn for a spot check before end that still await a result.
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
		for _, id := range s.Households {
			h, err := tx.Household(id)
			if err != nil {
				return 0, err
			}
			if h.HamletID == hamletID && h.SelfAble && h.Check.Status == campaign.CheckNone {
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
// proposed (within the cap, or meeting the standard beyond it for the
// council) and why not, with the individuals proposed for review and a
// warning when the register holds fewer households than are able.
func (d HamletDossier) Status() string {
	var b strings.Builder
	limit := scoring.Count2(d.Input.CollectiveCap)
	switch {
	case d.Input.Eligible:
		fmt.Fprintf(&b, "Ấp %s đủ tiêu chuẩn, được đề nghị khen thưởng tập thể (xếp thứ %d/%s).", d.Input.Hamlet.Name, d.Rank, limit)
	case d.Input.BeyondCap:
		fmt.Fprintf(&b, "Ấp %s đủ tiêu chuẩn khen thưởng tập thể, vượt số lượng %s — Hội đồng xét; Tờ trình vẫn đề nghị tập thể.", d.Input.Hamlet.Name, limit)
	default:
		fmt.Fprintf(&b, "Ấp %s chưa đủ tiêu chuẩn khen thưởng tập thể: %s. Hồ sơ vẫn được lập để tham khảo; lý do đã ghi trong phần ghi chú của văn bản.",
			d.Input.Hamlet.Name, limitRunes(strings.Join(d.Reasons, "; "), 400))
	}
	if n := len(d.Input.Individuals); n > 0 {
		fmt.Fprintf(&b, " Cá nhân đề nghị xét: %s.", scoring.Count2(n))
	} else {
		b.WriteString(" Không có cá nhân nào của ấp được đề nghị xét.")
	}
	if d.RegisterWarning != "" {
		b.WriteString("\n⚠️ " + d.RegisterWarning)
	}
	return b.String()
}

// cmdDossier (/hoso [mã ấp]) sends a hamlet's award dossier: the Tờ trình
// and the Biên bản as DOCX, the evidence list as XLSX, with figures as of
// the day they stop at (today, at most the campaign's last day). A hamlet
// head prepares their own hamlet's (the plan gives that to the Ban Nhân dân
// ấp); admins any hamlet's.
func (c *cx) cmdDossier(args string) error {
	f := strings.Fields(args)
	if c.who.Role != campaign.RoleAdmin {
		if c.who.HamletID == "" {
			c.reply(msgNeedHamlet)
			return nil
		}
		if len(f) > 0 {
			if h, ok := findHamletIn(c, strings.Join(f, " ")); !ok || h.ID != c.who.HamletID {
				c.reply("Anh/chị là " + plain(c.who.Role.At(c.hamletName())) + " nên chỉ lập được hồ sơ của ấp mình. Gõ " + code("/hoso") + " (không kèm mã ấp).")
				return nil
			}
		}
		h, err := c.tx.Hamlet(c.who.HamletID)
		if err != nil {
			return err
		}
		c.afterCommit(func(c *cx) error { return c.sendDossier(h) })
		return nil
	}
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

// findHamletIn looks up a hamlet typed by id or name.
func findHamletIn(c *cx, typed string) (campaign.Hamlet, bool) {
	hs, err := c.tx.Hamlets()
	if err != nil {
		return campaign.Hamlet{}, false
	}
	return findHamlet(hs, typed)
}

// sendDossier builds and sends /hoso's documents (after the commit).
func (c *cx) sendDossier(h campaign.Hamlet) error {
	at := c.e.set.Params.FiguresAt(c.e.scoringDate(c.now))
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
	if err := c.audit("dossier.export", nil, map[string]any{"hamlet": h.ID, "at": at.String(), "records": d.Tally.Reports,
		"self_declared": d.Tally.SelfDeclared}); err != nil {
		return err
	}
	mark := "✅ "
	if !d.Input.Eligible && !d.Input.BeyondCap {
		mark = "⚠️ "
	}
	status := mark + plain(d.Status())
	head := "📄 " + chat.BoldStart + "Hồ sơ khen thưởng ấp " + plain(h.Name) + chat.BoldEnd + " — " + lowerFirst(scoring.FiguresAtText(at)) + ".\n"
	if proposal != nil {
		c.replies = append(c.replies, chat.Reply{To: c.in.Chat, Text: head + "Tờ trình đề nghị khen thưởng (Word, sửa được trước khi ký).\n" + status,
			File: &chat.File{Name: d.Input.FileName(dossier.SuffixProposal), Bytes: proposal}})
	} else {
		c.reply(head + status + "\nKhông lập Tờ trình vì không có tập thể hay cá nhân nào của ấp được đề nghị; vẫn gửi Biên bản họp xét và danh sách hộ.")
	}
	c.replies = append(c.replies,
		chat.Reply{To: c.in.Chat, Text: "📄 Biên bản họp xét thi đua, khen thưởng ấp " + plain(h.Name) + " (Word), có số liệu minh chứng; để trống chỗ ghi thành phần, biểu quyết và chữ ký.",
			File: &chat.File{Name: d.Input.FileName(dossier.SuffixMinutes), Bytes: minutes}},
		chat.Reply{To: c.in.Chat, Text: "📎 Phụ lục: danh sách hộ của ấp " + plain(h.Name) + " (Excel). " + plain(d.Tally.Summary()) +
			"\nTệp có thông tin cá nhân của người dân: chỉ dùng cho hồ sơ, không chuyển tiếp vào nhóm.",
			File: &chat.File{Name: d.Input.FileName(dossier.SuffixEvidence), Bytes: d.Evidence}})
	return nil
}

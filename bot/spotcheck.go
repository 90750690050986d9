package bot

import (
	"cmp"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"dvcbot/chat"

	"dvcbot/campaign"
	"dvcbot/intake"
	"dvcbot/scoring"
	"dvcbot/store"
)

// Spot checks (/kiemtra): the Standing Committee (or an admin) draws a
// random, stratified sample of reported households — guidance records, and
// households recorded as able on their own (/dabiet), which count toward
// coverage just the same — calls each one and records the result with a
// button or typed. The result is stored on the record (store.Tx.SetCheck)
// or on the self-declared household (store.Tx.SetSelfCheck) and takes
// effect in scoring at once: one failed check bars the hamlet and the
// officer who reported (or recorded) the household from every award.

// stateSpotReason waits for the reason of a "Không đạt" result.
const stateSpotReason = "spotcheck_reason"

// maxSpotDraw bounds the households of one draw: they come in pages of
// spotPageSize, and a channel delivers about one message a second.
const maxSpotDraw = 50

// maxReasonRunes bounds a failed check's reason and an exclusion's reason.
const maxReasonRunes = 300

// reasonTooLong is what to answer a reason longer than maxReasonRunes
// ("" when it fits).
func reasonTooLong(reason string) string {
	n := utf8.RuneCountInString(reason)
	if n <= maxReasonRunes {
		return ""
	}
	return "Lý do dài " + itoa(n) + " ký tự, quá " + itoa(maxReasonRunes) + " ký tự. Vui lòng ghi ngắn gọn hơn."
}

// defaultSpotCheckRate is spotcheck.rate when configuration gives none.
const defaultSpotCheckRate = 0.10

// CheckDraft is a "Không đạt" result waiting for its reason.
type CheckDraft struct {
	// GuidanceID is the record checked; HouseholdID the self-declared
	// household checked (GuidanceID 0).
	GuidanceID  uint64 `json:"guidance_id"`
	HouseholdID uint64 `json:"household_id,omitempty"`
	// MessageID is the household's card, edited once the result is stored
	// ("" when the choice was typed rather than tapped).
	MessageID string `json:"message_id,omitempty"`
}

// --- sampling ---

// sampleUnit is one record that a sample may draw, or a self-declared
// household (Self: ID is the household's).
type sampleUnit struct {
	ID      uint64
	Self    bool
	Hamlet  string
	Officer int64 // who reported the record, or recorded the household
	// Active marks a record of an active officer: when the sample is too
	// small for every stratum, those strata get a place first.
	Active bool
}

// unitKey identifies a unit: record ids and household ids are separate
// sequences.
type unitKey struct {
	self bool
	id   uint64
}

func (u sampleUnit) key() unitKey { return unitKey{u.Self, u.ID} }

// compareUnits orders units: records before households, each by id.
func compareUnits(a, b sampleUnit) int {
	if a.Self != b.Self {
		if a.Self {
			return 1
		}
		return -1
	}
	return cmp.Compare(a.ID, b.ID)
}

// stratum is the records of one officer in one hamlet.
type stratum struct {
	hamlet  string
	officer int64
	active  bool
	units   []sampleUnit
}

// drawSample draws min(n, len(units)) distinct records at random, stratified
// by hamlet and reporting officer:
//
//  1. every stratum gets one record when n allows; when it does not, every
//     hamlet gets one first (from an active officer's records when it has
//     any), then the strata of active officers, then the others, chosen at
//     random within each group;
//  2. the rest of n is shared among the strata in proportion to their
//     records not yet drawn (largest remainder, ties broken at random);
//  3. records are drawn uniformly within each stratum.
//
// A unit listed twice counts once. The result is ordered by hamlet,
// officer, then records before self-declared households, each by id. random is the only source of chance
// (crypto/rand.Reader in production; a seeded stream in tests).
func drawSample(units []sampleUnit, n int, random io.Reader) ([]sampleUnit, error) {
	strata := stratify(units)
	total := 0
	for _, s := range strata {
		total += len(s.units)
	}
	n = min(n, total)
	if n <= 0 {
		return nil, nil
	}
	alloc := make([]int, len(strata))
	seats, err := chooseSeats(strata, n, random)
	if err != nil {
		return nil, err
	}
	for _, i := range seats {
		alloc[i] = 1
	}
	if err := shareRest(strata, alloc, n-len(seats), random); err != nil {
		return nil, err
	}
	out := make([]sampleUnit, 0, n)
	for i, s := range strata {
		picked, err := pickUniform(s.units, alloc[i], random)
		if err != nil {
			return nil, err
		}
		slices.SortFunc(picked, compareUnits)
		out = append(out, picked...)
	}
	return out, nil
}

// stratify groups units by hamlet and officer, in a fixed order, dropping
// repeated ids.
func stratify(units []sampleUnit) []stratum {
	type key struct {
		hamlet  string
		officer int64
	}
	seen := make(map[unitKey]bool, len(units))
	idx := map[key]int{}
	var strata []stratum
	for _, u := range units {
		if seen[u.key()] {
			continue
		}
		seen[u.key()] = true
		k := key{u.Hamlet, u.Officer}
		i, ok := idx[k]
		if !ok {
			i = len(strata)
			idx[k] = i
			strata = append(strata, stratum{hamlet: u.Hamlet, officer: u.Officer})
		}
		strata[i].units = append(strata[i].units, u)
		strata[i].active = strata[i].active || u.Active
	}
	slices.SortFunc(strata, func(a, b stratum) int {
		return cmp.Or(strings.Compare(a.hamlet, b.hamlet), cmp.Compare(a.officer, b.officer))
	})
	for _, s := range strata {
		slices.SortFunc(s.units, compareUnits)
	}
	return strata
}

// chooseSeats returns the strata (indexes) that get a guaranteed record.
func chooseSeats(strata []stratum, n int, random io.Reader) ([]int, error) {
	all := make([]int, len(strata))
	for i := range all {
		all[i] = i
	}
	if n >= len(strata) {
		return all, nil
	}
	// One stratum per hamlet, an active officer's when there is one.
	var hamlets [][]int
	for i, s := range strata {
		if i == 0 || s.hamlet != strata[i-1].hamlet {
			hamlets = append(hamlets, nil)
		}
		hamlets[len(hamlets)-1] = append(hamlets[len(hamlets)-1], i)
	}
	order, err := shuffled(len(hamlets), random)
	if err != nil {
		return nil, err
	}
	taken := make([]bool, len(strata))
	var seats []int
	for _, h := range order {
		if len(seats) == n {
			return seats, nil
		}
		pool := hamlets[h]
		if act := activeOf(strata, pool); len(act) > 0 {
			pool = act
		}
		j, err := uniform(random, len(pool))
		if err != nil {
			return nil, err
		}
		seats = append(seats, pool[j])
		taken[pool[j]] = true
	}
	// Then active officers' strata, then the others, at random.
	for _, wantActive := range []bool{true, false} {
		var pool []int
		for i, s := range strata {
			if !taken[i] && s.active == wantActive {
				pool = append(pool, i)
			}
		}
		perm, err := shuffled(len(pool), random)
		if err != nil {
			return nil, err
		}
		for _, p := range perm {
			if len(seats) == n {
				return seats, nil
			}
			seats = append(seats, pool[p])
			taken[pool[p]] = true
		}
	}
	return seats, nil
}

func activeOf(strata []stratum, ids []int) []int {
	var out []int
	for _, i := range ids {
		if strata[i].active {
			out = append(out, i)
		}
	}
	return out
}

// shareRest adds rest records to alloc in proportion to what each stratum
// has left (Hamilton's largest-remainder method).
func shareRest(strata []stratum, alloc []int, rest int, random io.Reader) error {
	if rest <= 0 {
		return nil
	}
	left := make([]int64, len(strata))
	var sum int64
	for i, s := range strata {
		left[i] = int64(len(s.units) - alloc[i])
		sum += left[i]
	}
	if sum == 0 {
		return nil
	}
	r := int64(min(int64(rest), sum))
	rem := make([]int64, len(strata))
	given := int64(0)
	for i := range strata {
		q := r * left[i] / sum
		alloc[i] += int(q)
		given += q
		rem[i] = r * left[i] % sum
	}
	order, err := shuffled(len(strata), random)
	if err != nil {
		return err
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(rem[b], rem[a]) })
	for _, i := range order {
		if given == r {
			break
		}
		if rem[i] > 0 {
			alloc[i]++
			given++
		}
	}
	return nil
}

// pickUniform returns k distinct elements of us chosen uniformly (a partial
// Fisher–Yates shuffle of a copy).
func pickUniform(us []sampleUnit, k int, random io.Reader) ([]sampleUnit, error) {
	k = min(k, len(us))
	c := slices.Clone(us)
	for i := 0; i < k; i++ {
		j, err := uniform(random, len(c)-i)
		if err != nil {
			return nil, err
		}
		c[i], c[i+j] = c[i+j], c[i]
	}
	return c[:k], nil
}

// shuffled is a random permutation of 0..n-1.
func shuffled(n int, random io.Reader) ([]int, error) {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	for i := n - 1; i > 0; i-- {
		j, err := uniform(random, i+1)
		if err != nil {
			return nil, err
		}
		p[i], p[j] = p[j], p[i]
	}
	return p, nil
}

// uniform is an unbiased random integer in [0, n) read from random
// (rejection sampling over 64-bit values).
func uniform(random io.Reader, n int) (int, error) {
	if n <= 1 {
		return 0, nil
	}
	limit := math.MaxUint64 - math.MaxUint64%uint64(n)
	var b [8]byte
	for {
		if _, err := io.ReadFull(random, b[:]); err != nil {
			return 0, fmt.Errorf("bot: random source: %w", err)
		}
		if v := binary.BigEndian.Uint64(b[:]); v < limit {
			return int(v % uint64(n)), nil
		}
	}
}

// defaultSampleSize is the size of a draw when the admin gives none:
// rate of the eligible records (rounded up), at least one per hamlet and
// per active officer with eligible records, at most all of them.
func defaultSampleSize(units []sampleUnit, rate float64) int {
	if len(units) == 0 {
		return 0
	}
	if rate <= 0 || rate > 1 {
		rate = defaultSpotCheckRate
	}
	n := int(math.Ceil(rate*float64(len(units)) - 1e-9))
	seats, hamlets := 0, 0
	strata := stratify(units)
	for i, s := range strata {
		if s.active {
			seats++
		}
		if i == 0 || s.hamlet != strata[i-1].hamlet {
			hamlets++
		}
	}
	return min(max(n, seats, hamlets), len(units))
}

// --- /kiemtra ---

var spotUsage = "Cách dùng:\n" +
	code("/kiemtra") + " — chọn ngẫu nhiên các hộ để gọi điện kiểm tra, cả hộ được hướng dẫn và hộ tự khai đã biết làm (mặc định đủ %s số chưa kiểm tra, mỗi ấp và mỗi cán bộ ít nhất một hộ)\n" +
	code("/kiemtra 10") + " — chọn 10 hộ\n" +
	code("/kiemtra 5 bai-nha") + " — chọn 5 hộ của một ấp\n" +
	code("/kiemtra ketqua") + " — xem kết quả kiểm tra (thêm mã ấp để xem một ấp)\n" +
	code("/kiemtra cho") + " — gửi lại các hộ đã chọn mà chưa có kết quả"

// cmdSpotCheck (/kiemtra [n] [hamlet-id] | ketqua [hamlet-id] | cho [hamlet-id]).
func (c *cx) cmdSpotCheck(args string) error {
	f := strings.Fields(args)
	mode := ""
	if len(f) > 0 {
		switch k := labelKey(f[0]); {
		case k == "ketqua" || k == "results" || k == "result" || k == "kq":
			mode, f = "results", f[1:]
		case k == "ket" && len(f) > 1 && labelKey(f[1]) == "qua":
			mode, f = "results", f[2:]
		case k == "cho" || k == "pending" || k == "dangcho":
			mode, f = "pending", f[1:]
		}
	}
	n, hamlet := 0, ""
	for _, tok := range f {
		if v, err := strconv.Atoi(tok); err == nil && mode == "" && n == 0 {
			if v < 1 {
				c.reply("Số hộ cần chọn phải từ 1 trở lên.\n\n" + c.spotUsage())
				return nil
			}
			n = v
			continue
		}
		if hamlet != "" {
			c.reply("Không hiểu «" + plain(limitRunes(tok, 40)) + "».\n\n" + c.spotUsage())
			return nil
		}
		h, ok, err := c.hamletArg(tok, c.spotUsage())
		if !ok {
			return err
		}
		hamlet = h.ID
	}
	switch mode {
	case "results":
		return c.spotResults(hamlet)
	case "pending":
		return c.spotPending(hamlet)
	}
	return c.spotDraw(n, hamlet)
}

func (c *cx) spotRate() float64 {
	if r := c.e.set.SpotCheckRate; r > 0 && r <= 1 {
		return r
	}
	return defaultSpotCheckRate
}

func (c *cx) spotUsage() string {
	return fmt.Sprintf(spotUsage, scoring.ThresholdPercent(c.spotRate()))
}

// spotDraw draws and stores a sample among the records and the
// self-declared households not checked nor drawn yet, then sends the
// households in pages.
func (c *cx) spotDraw(n int, hamlet string) error {
	officers, err := c.tx.Officers()
	if err != nil {
		return err
	}
	active := map[campaign.PersonID]bool{}
	for _, o := range officers {
		active[o.ID] = o.Active
	}
	var units []sampleUnit
	if err := c.tx.SpotCandidates(hamlet, func(g campaign.Guidance) error {
		units = append(units, sampleUnit{ID: g.ID, Hamlet: g.HamletID, Officer: int64(g.OfficerID), Active: active[g.OfficerID]})
		return nil
	}); err != nil {
		return err
	}
	if err := c.tx.SelfSpotCandidates(hamlet, func(s store.SelfDeclared) error {
		h := s.Household
		units = append(units, sampleUnit{ID: h.ID, Self: true, Hamlet: h.HamletID, Officer: int64(h.SelfAbleBy), Active: active[h.SelfAbleBy]})
		return nil
	}); err != nil {
		return err
	}
	where := ""
	if hamlet != "" {
		where = " của ấp " + plain(c.spotHamletName(hamlet))
	}
	if len(units) == 0 {
		c.reply("Không còn hộ nào" + where + " chưa được chọn kiểm tra. Xem kết quả: " + code("/kiemtra ketqua") + "; gửi lại các hộ chưa gọi: " + code("/kiemtra cho") + ".")
		return nil
	}
	var notes []string
	requested := n
	if n == 0 {
		n = defaultSampleSize(units, c.spotRate())
		requested = n
	}
	if n > len(units) {
		notes = append(notes, "Chỉ còn "+scoring.Number(len(units))+" hộ chưa kiểm tra nên chọn tất cả.")
		n = len(units)
	}
	if n > maxSpotDraw {
		notes = append(notes, "Mỗi lần chọn tối đa "+itoa(maxSpotDraw)+" hộ (cần "+scoring.Number(n)+"); gọi xong, gõ lại /kiemtra để chọn tiếp.")
		n = maxSpotDraw
	}
	drawn, err := drawSample(units, n, rand.Reader)
	if err != nil {
		return err
	}
	sample := store.SpotSample{By: c.who.ID, Hamlet: hamlet, Eligible: len(units), Requested: requested}
	for _, u := range drawn {
		if u.Self {
			sample.Households = append(sample.Households, u.ID)
		} else {
			sample.Guidance = append(sample.Guidance, u.ID)
		}
	}
	s, err := c.tx.AddSpotSample(sample)
	if err != nil {
		return err
	}
	c.reply(c.spotHeader(s, units, drawn, where, notes))
	for page := 0; page*spotPageSize < s.Size(); page++ {
		if err := c.sendSpotPage(s, page, ""); err != nil {
			return err
		}
	}
	c.replySpotHowTo()
	return nil
}

// spotPageSize is how many households one message of a sample lists.
const spotPageSize = 10

// spotItem is one household of a sample: a guidance record, or a household
// recorded as able on its own (Self; no record).
type spotItem struct {
	Self bool
	G    campaign.Guidance  // the record (zero for a self-declared household)
	H    campaign.Household // the household
}

// ref is how the item is named in cards, buttons and typed results: the
// report number ("1234"), or "H" and the household number for a
// self-declared household ("H56").
func (it spotItem) ref() string {
	if it.Self {
		return "H" + strconv.FormatUint(it.H.ID, 10)
	}
	return strconv.FormatUint(it.G.ID, 10)
}

// name is "báo cáo số 1234" or "hộ tự khai H56".
func (it spotItem) name() string {
	if it.Self {
		return "hộ tự khai " + it.ref()
	}
	return "báo cáo số " + it.ref()
}

// check is the item's current result: status, reason, who and when.
func (it spotItem) check() (campaign.CheckStatus, string, campaign.PersonID, time.Time) {
	if it.Self {
		return it.H.Check.Status, it.H.Check.Reason, it.H.Check.By, it.H.Check.At
	}
	return it.G.Check, it.G.CheckReason, it.G.CheckedBy, it.G.CheckedAt
}

// hamlet and officer are the item's hamlet and the person who reported the
// record or recorded the household.
func (it spotItem) hamlet() string {
	if it.Self {
		return it.H.HamletID
	}
	return it.G.HamletID
}

func (it spotItem) officer() campaign.PersonID {
	if it.Self {
		if it.H.Check.MarkedBy != 0 {
			return it.H.Check.MarkedBy
		}
		return it.H.SelfAbleBy
	}
	return it.G.OfficerID
}

// spotRef is an item named in a button or typed: a record or a household.
type spotRef struct {
	self bool
	id   uint64
}

// parseSpotRef reads "1234", "#1234" or "H56" / "h56".
func parseSpotRef(s string) (spotRef, bool) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "#")
	r := spotRef{}
	if len(s) > 1 && (s[0] == 'H' || s[0] == 'h') {
		r.self, s = true, s[1:]
	}
	id, err := strconv.ParseUint(s, 10, 64)
	if err != nil || id == 0 {
		return spotRef{}, false
	}
	r.id = id
	return r, true
}

func (r spotRef) String() string {
	if r.self {
		return "H" + strconv.FormatUint(r.id, 10)
	}
	return strconv.FormatUint(r.id, 10)
}

// spotLoad reads the item a reference names (store.ErrNotFound when none).
func (c *cx) spotLoad(r spotRef) (spotItem, error) {
	if r.self {
		h, err := c.tx.Household(r.id)
		return spotItem{Self: true, H: h}, err
	}
	g, err := c.tx.Guidance(r.id)
	if err != nil {
		return spotItem{G: g}, err
	}
	h, err := c.tx.Household(g.HouseholdID)
	return spotItem{G: g, H: h}, err
}

// spotDrawn reports whether the item was drawn in a sample.
func (c *cx) spotDrawn(r spotRef) bool {
	if r.self {
		_, ok := c.tx.HouseholdDrawnIn(r.id)
		return ok
	}
	_, ok := c.tx.DrawnIn(r.id)
	return ok
}

// replySpotHowTo ends a list of households to call: how results are
// recorded on this channel, with a button to the results.
func (c *cx) replySpotHowTo() {
	how := "Gọi xong hộ nào thì "
	if c.in.Caps.Buttons {
		how += "bấm kết quả của hộ đó (✅ đạt, ❌ không đạt, 📵 chưa liên lạc được, kèm số báo cáo hoặc số hộ), hoặc "
	}
	how += "gõ số báo cáo (hộ tự khai: chữ H và số hộ) và kết quả, ví dụ " + code("1234 đạt") + ", " + code("1234 không đạt: hộ nói chưa ai hướng dẫn") +
		", " + code("H56 chưa liên lạc") + ". Ghi lại lần nữa để sửa. Kết quả có hiệu lực ngay với danh sách khen thưởng."
	c.reply(how, []chat.Choice{{Label: "📋 Xem kết quả kiểm tra", Value: "kt:ketqua"}})
}

// sampleItems reads the items of a sample from..to: its records, then its
// self-declared households.
func (c *cx) sampleItems(s store.SpotSample, from, to int) ([]spotItem, error) {
	var out []spotItem
	for i := from; i < to; i++ {
		r := spotRef{self: true}
		if i < len(s.Guidance) {
			r = spotRef{id: s.Guidance[i]}
		} else {
			r.id = s.Households[i-len(s.Guidance)]
		}
		it, err := c.spotLoad(r)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, nil
}

// sendSpotPage sends (or, with edit, replaces) page n of a sample.
func (c *cx) sendSpotPage(s store.SpotSample, n int, edit string) error {
	from := n * spotPageSize
	to := min(from+spotPageSize, s.Size())
	if from >= to {
		return nil
	}
	items, err := c.sampleItems(s, from, to)
	if err != nil {
		return err
	}
	title := fmt.Sprintf("mẫu số %d, hộ %d–%d/%d", s.ID, from+1, to, s.Size())
	text, choices := c.spotPage(items, title, fmt.Sprintf("s%d.%d", s.ID, n))
	c.replies = append(c.replies, chat.Reply{To: c.in.Chat, Text: text, Choices: choices, Edit: edit})
	return nil
}

// spotPage is one message of households to call: for each, who, where, the
// phone, what was reported (the procedures, the portal dossier code, the
// photos) or that it was recorded as able on its own, by whom and when, and
// the result so far; with three result buttons per household (a channel
// without buttons has the results typed). page names the page in the
// buttons, so a tap can update the message ("" when the list is not a
// sample's page).
func (c *cx) spotPage(items []spotItem, title, page string) (string, [][]chat.Choice) {
	var b strings.Builder
	b.WriteString("🔎 " + bold("Kiểm tra ngẫu nhiên") + " — " + plain(title))
	suffix := ""
	if page != "" {
		suffix = ":" + page
	}
	var rows [][]chat.Choice
	for _, it := range items {
		b.WriteString("\n\n" + c.spotCard(it))
		ref := it.ref()
		rows = append(rows, []chat.Choice{
			{Label: "✅ " + ref, Value: "kt:" + ref + ":p" + suffix},
			{Label: "❌ " + ref, Value: "kt:" + ref + ":f" + suffix},
			{Label: "📵 " + ref, Value: "kt:" + ref + ":u" + suffix},
		})
	}
	if !c.in.Caps.Buttons {
		rows = nil
		b.WriteString("\n\nGhi kết quả: gõ số báo cáo (hộ tự khai: H và số hộ) và kết quả, ví dụ «" + items[0].ref() + " đạt».")
	}
	return b.String(), rows
}

// spotCard is one household of spotPage: who, where, the phone, what was
// reported or recorded, by whom and when, and the result so far.
func (c *cx) spotCard(it spotItem) string {
	loc := c.e.set.Location
	hh := it.H
	var b strings.Builder
	b.WriteString(bold(upperFirst(it.name())) + " — ấp " + plain(c.spotHamletName(it.hamlet())) + "\n")
	b.WriteString("Chủ hộ: " + bold(hh.HeadName) + ", " + plain(hh.Address) + "\n")
	b.WriteString("Điện thoại: " + phoneLink(hh.Phone) + "\n")
	if it.Self {
		b.WriteString("Ghi nhận: hộ tự làm được dịch vụ công trực tuyến, không qua hướng dẫn — hỏi hộ có thật tự nộp hồ sơ trực tuyến được không\n")
		if hh.SelfAble {
			b.WriteString("Cán bộ ghi nhận: " + plain(c.spotWho(hh.SelfAbleBy)) + ", " + fmtDateTime(hh.SelfAbleAt, loc) + "\n")
		} else {
			b.WriteString("Cán bộ ghi nhận: " + plain(c.spotWho(it.officer())) + "\n⚠️ Ghi nhận này đã được hoàn tác.\n")
		}
	} else {
		g := it.G
		b.WriteString("Thủ tục: " + c.procedureNames(g.Procedures, g.OtherProcedure) + "\n")
		b.WriteString("Minh chứng: " + evidenceText(g) + "\n")
		b.WriteString("Cán bộ: " + plain(c.spotWho(g.OfficerID)) + ", " + fmtDateTime(g.At, loc) + "\n")
		if !g.Counts() {
			b.WriteString("⚠️ Báo cáo này đã được hoàn tác.\n")
		}
	}
	status, reason, by, at := it.check()
	b.WriteString("Kết quả: " + checkMark(status) + " " + bold(status.Label()))
	if status != campaign.CheckNone {
		if reason != "" {
			b.WriteString(" — lý do: " + plain(reason))
		}
		b.WriteString(" (ghi lúc " + fmtDateTime(at, loc) + " bởi " + plain(c.spotWho(by)) + ")")
	}
	return b.String()
}

// evidenceText is what a record holds as evidence: "mã hồ sơ X, 2 ảnh",
// or that it holds none.
func evidenceText(g campaign.Guidance) string {
	var ev []string
	if g.DossierCode != "" {
		ev = append(ev, "mã hồ sơ "+code(g.DossierCode))
	}
	if n := len(g.PhotoFileIDs); n > 0 {
		ev = append(ev, itoa(n)+" ảnh")
	}
	if len(ev) == 0 {
		return "không có mã hồ sơ, không có ảnh"
	}
	return strings.Join(ev, ", ")
}

// spotHeader says what was drawn, from what, and how it was spread.
func (c *cx) spotHeader(s store.SpotSample, units, drawn []sampleUnit, where string, notes []string) string {
	var b strings.Builder
	b.WriteString("🎲 " + chat.BoldStart + "Mẫu kiểm tra ngẫu nhiên số " + strconv.FormatUint(s.ID, 10) + chat.BoldEnd + " — " + fmtDateTime(s.At, c.e.set.Location) + "\n")
	selfUnits := 0
	for _, u := range units {
		if u.Self {
			selfUnits++
		}
	}
	from := scoring.Number(len(units)-selfUnits) + " lượt báo cáo"
	if selfUnits > 0 {
		from += " và " + scoring.Number(selfUnits) + " hộ tự khai đã biết làm"
	}
	b.WriteString("Đã chọn ngẫu nhiên " + bold(scoring.Number(len(drawn))) + " hộ trong " + from + " chưa kiểm tra" + where + ".")
	if n := len(s.Households); n > 0 {
		b.WriteString(" Trong đó " + itoa(n) + " hộ tự khai (số hộ bắt đầu bằng H).")
	}
	all, got := map[int64]bool{}, map[int64]bool{}
	for _, u := range units {
		if u.Active {
			all[u.Officer] = true
		}
	}
	perHamlet := map[string]int{}
	var order []string
	for _, u := range drawn {
		got[u.Officer] = true
		if perHamlet[u.Hamlet] == 0 {
			order = append(order, u.Hamlet)
		}
		perHamlet[u.Hamlet]++
	}
	covered := 0
	for id := range all {
		if got[id] {
			covered++
		}
	}
	if len(all) > 0 {
		b.WriteString(" Có " + itoa(covered) + "/" + itoa(len(all)) + " cán bộ có hộ chưa kiểm tra được chọn ít nhất một hộ.")
	}
	var parts []string
	for _, h := range order {
		parts = append(parts, plain(c.spotHamletName(h))+" "+itoa(perHamlet[h]))
	}
	b.WriteString("\nTheo ấp: " + strings.Join(parts, ", ") + ".")
	for _, n := range notes {
		b.WriteString("\nℹ️ " + n)
	}
	b.WriteString("\n\nGọi điện cho từng hộ dưới đây, hỏi hộ có thật được cán bộ hướng dẫn làm các thủ tục đã ghi (hộ tự khai: có thật tự nộp hồ sơ trực tuyến được) không, rồi ghi kết quả.")
	return b.String()
}

// phoneLink is the household's phone as shown on a card: "0912 345 678"
// (phone apps and Telegram make it tappable themselves).
func phoneLink(phone string) string {
	return plain(intake.FormatPhone(phone))
}

func checkMark(s campaign.CheckStatus) string {
	switch s {
	case campaign.CheckPassed:
		return "✅"
	case campaign.CheckFailed:
		return "❌"
	case campaign.CheckUnreachable:
		return "📵"
	}
	return "⏳"
}

// spotWho is a registered person's name, or a placeholder with the id.
func (c *cx) spotWho(id campaign.PersonID) string {
	o, err := c.tx.Officer(id)
	if err == nil && o.FullName != "" {
		return o.FullName
	}
	if _, admin := c.e.configAdminAccount(o); err == nil && admin {
		return "quản trị viên (số " + id.String() + ")"
	}
	return "Cán bộ số " + id.String()
}

func (c *cx) spotHamletName(id string) string {
	if h, err := c.tx.Hamlet(id); err == nil {
		return h.Name
	}
	return id
}

// waitingItems are the drawn records and self-declared households of a
// hamlet (or of every hamlet) still awaiting a result: records retracted,
// and households whose mark was undone, before anyone called are left out.
func (c *cx) waitingItems(hamlet string) ([]spotItem, error) {
	var refs []spotRef
	if err := c.tx.EachDrawn(func(gid, _ uint64) error {
		refs = append(refs, spotRef{id: gid})
		return nil
	}); err != nil {
		return nil, err
	}
	if err := c.tx.EachDrawnHousehold(func(hid, _ uint64) error {
		refs = append(refs, spotRef{self: true, id: hid})
		return nil
	}); err != nil {
		return nil, err
	}
	var out []spotItem
	for _, r := range refs {
		it, err := c.spotLoad(r)
		if err != nil {
			return nil, err
		}
		status, _, _, _ := it.check()
		alive := it.G.Counts()
		if it.Self {
			alive = it.H.SelfAble
		}
		if alive && status == campaign.CheckNone && (hamlet == "" || it.hamlet() == hamlet) {
			out = append(out, it)
		}
	}
	return out, nil
}

// spotPending sends again the cards of drawn households without a result.
func (c *cx) spotPending(hamlet string) error {
	waiting, err := c.waitingItems(hamlet)
	if err != nil {
		return err
	}
	if len(waiting) == 0 {
		c.reply("Không có hộ nào đã chọn mà chưa có kết quả. Gõ " + code("/kiemtra") + " để chọn mẫu mới.")
		return nil
	}
	head := "⏳ Còn " + bold(scoring.Number(len(waiting))) + " hộ đã chọn chưa có kết quả."
	if len(waiting) > maxSpotDraw {
		head += " Gửi lại " + itoa(maxSpotDraw) + " hộ đầu tiên; ghi kết quả xong, gõ lại " + code("/kiemtra cho") + " để xem tiếp."
		waiting = waiting[:maxSpotDraw]
	}
	c.reply(head)
	for from := 0; from < len(waiting); from += spotPageSize {
		to := min(from+spotPageSize, len(waiting))
		text, choices := c.spotPage(waiting[from:to], fmt.Sprintf("chưa có kết quả, hộ %d–%d/%d", from+1, to, len(waiting)), "")
		c.reply(text, choices...)
	}
	c.replySpotHowTo()
	return nil
}

// --- results ---

// typedResult reads a result typed as "1234 đạt", "#1234 không đạt: lý
// do", "H56 chưa liên lạc": the report number (or H and the number of a
// self-declared household), then the result (with or without diacritics),
// then for a failed check the reason.
func typedResult(text string) (ref spotRef, status campaign.CheckStatus, reason string, ok bool) {
	num, rest, found := strings.Cut(strings.TrimSpace(text), " ")
	ref, refOK := parseSpotRef(num)
	if !found || !refOK {
		return spotRef{}, "", "", false
	}
	rest = strings.TrimSpace(rest)
	folded := intake.Fold(rest)
	for _, w := range []struct {
		words  []string
		status campaign.CheckStatus
	}{
		{[]string{"khong dat", "k dat", "kd", "fail"}, campaign.CheckFailed},
		{[]string{"chua lien lac duoc", "chua lien lac", "khong lien lac duoc", "cll", "unreachable"}, campaign.CheckUnreachable},
		{[]string{"dat", "ok", "pass"}, campaign.CheckPassed},
	} {
		for _, word := range w.words {
			if folded == word || strings.HasPrefix(folded, word+" ") || strings.HasPrefix(folded, word+":") || strings.HasPrefix(folded, word+",") || strings.HasPrefix(folded, word+"-") {
				// The reason keeps what was typed (diacritics, case).
				r := []rune(rest)
				reason = strings.TrimLeft(string(r[min(len(r), len([]rune(word))):]), " :,-–")
				return ref, w.status, strings.TrimSpace(reason), true
			}
		}
	}
	return spotRef{}, "", "", false
}

// onTypedResult records a result typed by someone who runs spot checks;
// ok is false when the text is not a result.
func (c *cx) onTypedResult(text string) (bool, error) {
	ref, status, reason, ok := typedResult(text)
	if !ok || !c.allowed(c.e.cmds["kiemtra"]) {
		return false, nil
	}
	it, err := c.spotLoad(ref)
	if errors.Is(err, store.ErrNotFound) {
		what := "báo cáo số " + ref.String()
		if ref.self {
			what = "hộ số " + ref.String()
		}
		c.reply("Không có " + what + ". Gõ " + code("/kiemtra cho") + " để xem các hộ đã chọn chưa có kết quả.")
		return true, nil
	} else if err != nil {
		return true, err
	}
	if !c.spotDrawn(ref) {
		c.reply(upperFirst(it.name()) + " không nằm trong mẫu kiểm tra nào. Kết quả chỉ ghi cho các hộ đã được chọn ngẫu nhiên (" + code("/kiemtra") + ").")
		return true, nil
	}
	if status == campaign.CheckFailed && reason == "" {
		c.s.State, c.s.Draft, c.s.Check = stateSpotReason, Draft{}, checkDraft(ref, "")
		c.askSpotReason(it)
		return true, nil
	}
	if msg := reasonTooLong(reason); msg != "" {
		c.reply(msg)
		return true, nil
	}
	return true, c.setSpotResult(it, status, reason, "")
}

// checkDraft is the draft of a failed result of ref awaiting its reason.
func checkDraft(ref spotRef, msg string) *CheckDraft {
	if ref.self {
		return &CheckDraft{HouseholdID: ref.id, MessageID: msg}
	}
	return &CheckDraft{GuidanceID: ref.id, MessageID: msg}
}

// ref is the item a draft is about.
func (d CheckDraft) ref() spotRef {
	if d.HouseholdID != 0 {
		return spotRef{self: true, id: d.HouseholdID}
	}
	return spotRef{id: d.GuidanceID}
}

// onSpotButton handles kt:<ref>:p|f|u|x (ref a report number or H and a
// household number) and kt:ketqua.
// Who may press them was checked on the way in (flowAccess "kt").
func (c *cx) onSpotButton(arg string) error {
	if !c.in.Private {
		c.reply(msgPrivateOnly)
		return nil
	}
	if arg == "ketqua" {
		return c.spotResults("")
	}
	refText, act, _ := strings.Cut(arg, ":")
	act, page, _ := strings.Cut(act, ":")
	ref, ok := parseSpotRef(refText)
	if !ok {
		c.reply(msgStaleButton)
		return nil
	}
	it, err := c.spotLoad(ref)
	if errors.Is(err, store.ErrNotFound) {
		c.reply(msgStaleButton)
		return nil
	} else if err != nil {
		return err
	}
	msg := ""
	if c.in.Callback != nil && page != "" {
		msg = c.in.Callback.MessageID + ":" + page // the page to update: "<message>:s<sample>.<page>"
	}
	switch act {
	case "p":
		return c.setSpotResult(it, campaign.CheckPassed, "", msg)
	case "u":
		return c.setSpotResult(it, campaign.CheckUnreachable, "", msg)
	case "f":
		if c.s.State != "" && c.s.State != stateSpotReason {
			c.reply("(Thao tác đang làm dở trước đó đã được hủy.)")
		}
		c.s.State, c.s.Draft, c.s.Check = stateSpotReason, Draft{}, checkDraft(ref, msg)
		c.askSpotReason(it)
		return nil
	case "x":
		if c.s.State == stateSpotReason {
			c.s.State, c.s.Check = "", nil
			status, _, _, _ := it.check()
			c.reply("Đã hủy, kết quả của hộ này giữ nguyên: " + plain(status.Label()) + ".")
			return nil
		}
	}
	c.reply(msgStaleButton)
	return nil
}

func (c *cx) askSpotReason(it spotItem) {
	name := ""
	if it.H.HeadName != "" {
		name = " hộ " + bold(it.H.HeadName)
	}
	c.reply("❌ Ghi "+bold("Không đạt")+" cho"+name+" ("+it.name()+").\nVui lòng gõ "+bold("lý do")+" (ví dụ: «Hộ nói không được ai hướng dẫn», tối đa "+
		itoa(maxReasonRunes)+" ký tự).",
		[]chat.Choice{{Label: "↩️ Hủy", Value: "kt:" + it.ref() + ":x"}})
}

// onSpotReason takes the reason of a failed check and stores the result.
func (c *cx) onSpotReason(text string) error {
	d := c.s.Check
	if d == nil {
		c.s.State = ""
		c.reply(msgStaleButton)
		return nil
	}
	it, err := c.spotLoad(d.ref())
	if err != nil {
		return err
	}
	reason := strings.TrimSpace(text)
	msg := reasonTooLong(reason)
	if reason == "" {
		msg = "Lý do không được để trống."
	}
	if msg != "" {
		c.reply(msg)
		c.askSpotReason(it)
		return nil
	}
	c.s.State, c.s.Check = "", nil
	return c.setSpotResult(it, campaign.CheckFailed, reason, d.MessageID)
}

// setSpotResult stores a result (audited by the store), updates the card
// and says what it means for awards.
func (c *cx) setSpotResult(it spotItem, status campaign.CheckStatus, reason string, card string) error {
	if c.s.State == stateSpotReason {
		c.s.State, c.s.Check = "", nil
	}
	before, beforeReason, _, _ := it.check()
	if before == status && beforeReason == reason {
		c.reply("Hộ này đã được ghi «" + plain(status.Label()) + "» từ trước, không có gì thay đổi.")
		return nil
	}
	if it.Self {
		h, err := c.tx.SetSelfCheck(it.H.ID, status, reason, c.who.ID)
		if err != nil {
			return err
		}
		it.H = h
	} else {
		g, err := c.tx.SetCheck(it.G.ID, status, reason, c.who.ID)
		if err != nil {
			return err
		}
		it.G = g
	}
	if err := c.updateSpotPage(card); err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString(checkMark(status) + " Đã ghi kết quả " + bold(status.Label()) + " cho " + it.name())
	if before != campaign.CheckNone {
		b.WriteString(" (trước đó: " + plain(before.Label()) + ")")
	}
	b.WriteString(".")
	switch {
	case status == campaign.CheckFailed:
		who := "cán bộ"
		if it.Self {
			who = "cán bộ ghi nhận hộ"
		}
		b.WriteString("\n⚠️ Ấp " + plain(c.spotHamletName(it.hamlet())) + " và " + who + " " + plain(c.spotWho(it.officer())) +
			" không còn được xét khen thưởng (kiểm tra ngẫu nhiên không đạt). Xem /khenthuong.")
	case before == campaign.CheckFailed:
		b.WriteString("\nKết quả «Không đạt» trước đó đã được thay; ấp và cán bộ được xét lại nếu không còn trường hợp không đạt nào khác. Xem /khenthuong.")
	}
	c.reply(b.String())
	return nil
}

// updateSpotPage replaces the sample page a result was tapped on
// ("<message>:s<sample>.<page>", "" for none), showing the new result.
func (c *cx) updateSpotPage(card string) error {
	msg, page, ok := strings.Cut(card, ":s")
	if !ok || msg == "" {
		return nil
	}
	sid, n, ok := strings.Cut(page, ".")
	sampleID, err1 := strconv.ParseUint(sid, 10, 64)
	pageNo, err2 := strconv.Atoi(n)
	if !ok || err1 != nil || err2 != nil {
		return nil
	}
	s, err := c.tx.SpotSample(sampleID)
	if err != nil {
		return nil // a sample that is gone: nothing to update
	}
	return c.sendSpotPage(s, pageNo, msg)
}

// spotTally counts the spot checks of one hamlet.
type spotTally struct {
	drawn, passed, failed, unreachable, waiting int
}

func (t *spotTally) add(status campaign.CheckStatus) {
	t.drawn++
	switch status {
	case campaign.CheckPassed:
		t.passed++
	case campaign.CheckFailed:
		t.failed++
	case campaign.CheckUnreachable:
		t.unreachable++
	default:
		t.waiting++
	}
}

// spotResults (/kiemtra ketqua [hamlet-id]) shows counts by status, per
// hamlet, and every failed check with its reason: of records and of
// self-declared households.
func (c *cx) spotResults(hamlet string) error {
	hs, err := c.tx.Hamlets()
	if err != nil {
		return err
	}
	drawn := map[uint64]bool{}
	if err := c.tx.EachDrawn(func(gid, _ uint64) error { drawn[gid] = true; return nil }); err != nil {
		return err
	}
	samples, err := c.tx.SpotSamples()
	if err != nil {
		return err
	}
	tally := map[string]*spotTally{}
	var all spotTally
	count := func(h string, status campaign.CheckStatus) {
		if tally[h] == nil {
			tally[h] = &spotTally{}
		}
		tally[h].add(status)
		all.add(status)
	}
	var failed []spotItem
	active, unchecked := 0, 0
	if err := c.tx.EachGuidance(time.Time{}, time.Time{}, func(g campaign.Guidance) error {
		if hamlet != "" && g.HamletID != hamlet {
			return nil
		}
		if g.Counts() {
			active++
			if g.Check == campaign.CheckNone {
				unchecked++
			}
		}
		if !drawn[g.ID] && g.Check == campaign.CheckNone {
			return nil
		}
		if g.Check == campaign.CheckNone && !g.Counts() {
			return nil // drawn, then retracted before anyone called
		}
		count(g.HamletID, g.Check)
		if g.Check == campaign.CheckFailed {
			failed = append(failed, spotItem{G: g})
		}
		return nil
	}); err != nil {
		return err
	}
	// Self-declared households: those with a result, and those drawn
	// still awaiting one (unless the mark was undone before the call).
	selfChecked := map[uint64]bool{}
	if err := c.tx.CheckedSelfDeclared(func(h campaign.Household) error {
		selfChecked[h.ID] = true
		if hamlet != "" && h.HamletID != hamlet {
			return nil
		}
		count(h.HamletID, h.Check.Status)
		if h.Check.Status == campaign.CheckFailed {
			failed = append(failed, spotItem{Self: true, H: h})
		}
		return nil
	}); err != nil {
		return err
	}
	if err := c.tx.EachDrawnHousehold(func(id, _ uint64) error {
		if selfChecked[id] {
			return nil
		}
		h, err := c.tx.Household(id)
		if err != nil {
			return err
		}
		if h.SelfAble && (hamlet == "" || h.HamletID == hamlet) {
			count(h.HamletID, campaign.CheckNone)
		}
		return nil
	}); err != nil {
		return err
	}
	loc := c.e.set.Location
	var b strings.Builder
	b.WriteString("📋 " + bold("Kết quả kiểm tra ngẫu nhiên"))
	if hamlet != "" {
		b.WriteString(" — ấp " + plain(c.spotHamletName(hamlet)))
	}
	b.WriteString(" (đến " + fmtDateTime(c.now, loc) + ")\n")
	if len(samples) == 0 && all.drawn == 0 {
		b.WriteString("Chưa có lần kiểm tra nào. Gõ " + code("/kiemtra") + " để chọn ngẫu nhiên các hộ cần gọi điện.")
		c.reply(b.String())
		return nil
	}
	b.WriteString("Đã chọn " + scoring.Number(all.drawn) + " hộ")
	if hamlet == "" {
		b.WriteString(" qua " + itoa(len(samples)) + " lần chọn mẫu")
	}
	b.WriteString(": ✅ Đạt " + scoring.Number(all.passed) + " · ❌ Không đạt " + scoring.Number(all.failed) +
		" · 📵 Chưa liên lạc được " + scoring.Number(all.unreachable) + " · ⏳ Chờ gọi " + scoring.Number(all.waiting) + ".\n")
	checked := active - unchecked
	b.WriteString("Lượt báo cáo đã có kết quả kiểm tra: " + scoring.Number(checked) + "/" + scoring.Number(active) +
		" (" + scoring.PercentOf(checked, active) + "; mục tiêu " + scoring.ThresholdPercent(c.spotRate()) + "). Còn " +
		scoring.Number(unchecked) + " lượt chưa kiểm tra.\n")
	selfAll, selfDone := 0, 0
	if err := c.tx.EachSelfDeclared(time.Time{}, time.Time{}, hamlet, func(s store.SelfDeclared) error {
		selfAll++
		if s.Household.Check.Status != campaign.CheckNone {
			selfDone++
		}
		return nil
	}); err != nil {
		return err
	}
	if selfAll > 0 {
		b.WriteString("Hộ tự khai đã biết làm đã có kết quả kiểm tra: " + scoring.Number(selfDone) + "/" + scoring.Number(selfAll) +
			" (" + scoring.PercentOf(selfDone, selfAll) + ").\n")
	}
	b.WriteString("\n" + bold("Theo ấp") + "\n")
	for _, h := range hs {
		if hamlet != "" && h.ID != hamlet {
			continue
		}
		t := tally[h.ID]
		if t == nil {
			b.WriteString("• " + plain(h.Name) + ": chưa kiểm tra\n")
			continue
		}
		b.WriteString(fmt.Sprintf("• %s: chọn %d — đạt %d, không đạt %d, chưa liên lạc được %d, chờ gọi %d", plain(h.Name), t.drawn, t.passed, t.failed, t.unreachable, t.waiting))
		if t.failed > 0 {
			b.WriteString(" ⚠️")
		}
		b.WriteString("\n")
	}
	if len(failed) > 0 {
		b.WriteString("\n" + bold("Không đạt") + " (ấp và cán bộ báo cáo hoặc ghi nhận không được xét khen thưởng):\n")
		const maxListed = 30
		for i, it := range failed {
			if i == maxListed {
				b.WriteString("… và " + itoa(len(failed)-maxListed) + " trường hợp khác (xem trang «Kiểm tra» trong tệp của /report).\n")
				break
			}
			_, reason, by, at := it.check()
			if it.Self {
				b.WriteString("• Ấp " + plain(c.spotHamletName(it.H.HamletID)) + ": hộ tự khai " + bold(it.H.HeadName) + " (" + it.ref() + "), ghi nhận bởi " +
					plain(c.spotWho(it.officer())) + ". Lý do: " + plain(reason) + " (ghi " + fmtDate(at, loc) + " bởi " + plain(c.spotWho(by)) + ")\n")
				continue
			}
			g := it.G
			name := "?"
			if hh, err := c.tx.Household(g.HouseholdID); err == nil {
				name = hh.HeadName
			}
			b.WriteString("• Ấp " + plain(c.spotHamletName(g.HamletID)) + ": hộ " + bold(name) + ", báo cáo số " +
				strconv.FormatUint(g.ID, 10) + " của " + plain(c.spotWho(g.OfficerID)) + " ngày " + fmtDate(g.At, loc) +
				". Lý do: " + plain(reason) + " (ghi " + fmtDate(at, loc) + " bởi " + plain(c.spotWho(by)) + ")\n")
		}
	}
	c.reply(strings.TrimRight(b.String(), "\n"))
	return nil
}

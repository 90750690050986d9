package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"dvcbot/campaign"
	"dvcbot/export"
	"dvcbot/intake"
	"dvcbot/store"
)

// The admins' pages: a hamlet's households with their evidence, and the
// downloads (the evidence list as XLSX, the award dossier as DOCX). Search
// terms travel in the body of a POST, never in an address, so that no name
// or phone ends up in a log, a history or a Referer.

type householdsView struct {
	Hamlet, HamletID string
	Action           string // where the search form posts
	Query            string
	Searched         bool
	Total            int
	Rows             []householdRowView
	Pager            pager
	PostPager        bool // the pages of a search are posted with the query
	Back             string
	Download         string
}

func (h householdsView) title() string { return "Danh sách hộ — ấp " + h.Hamlet }

type householdRowView struct {
	Name, Address, Phone string
	SelfAble             bool
	// SelfCheck is the spot-check result of the household as self-declared
	// ("" when it was never drawn nor checked as such), SelfCheckClass its
	// class, SelfCheckReason the reason of a failed one.
	SelfCheck, SelfCheckClass, SelfCheckReason string
	Records                                    []recordView
}

type recordView struct {
	When, Procedures, Officer, Dossier string
	Photos                             []string // links (empty when photos cannot be shown)
	PhotoCount                         int
	Check, CheckClass, CheckReason     string
	Waiting                            bool // drawn, waiting for the call
	Retracted                          bool
}

// households (GET and POST /ap/{hamlet}/ho) lists a hamlet's households.
func (s *Server) households(w http.ResponseWriter, r *http.Request, v *viewer) error {
	id := r.PathValue("hamlet")
	z, rk, err := s.zoneHamlet(r.Context(), id)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return &forbiddenError{"Nội dung tìm kiếm quá dài hoặc bị lỗi nên không đọc được. Hãy tìm lại bằng họ tên hoặc số điện thoại ngắn gọn."}
	}
	q := HouseholdQuery{Hamlet: id}
	hv := householdsView{Hamlet: rk.Hamlet.Name, HamletID: id, Action: s.hamletURL(id, "/ho"),
		Back: s.hamletURL(id, ""), Download: s.url("/tai/danh-sach/" + url.PathEscape(id))}
	if r.Method == http.MethodPost {
		hv.Query = strings.TrimSpace(r.PostForm.Get("q"))
		if len(hv.Query) > 200 {
			// Cut at 200 bytes, without half a letter (Vietnamese letters
			// take two or three).
			hv.Query = strings.ToValidUTF8(hv.Query[:200], "")
		}
		if hv.Query != "" {
			hv.Searched, hv.PostPager = true, true
			if phone, err := intake.NormalizePhone(hv.Query); err == nil {
				q.Phone = phone
			} else {
				q.Name = intake.Fold(hv.Query)
			}
		}
	}
	per := s.opt.PageSize
	page := pageParam(r)
	q.Offset, q.Limit = (page-1)*per, per
	res, err := s.src.Households(r.Context(), q)
	if err != nil {
		return err
	}
	hv.Total = res.Total
	link := func(n int) string { return hv.Action + "?trang=" + strconv.Itoa(n) }
	if hv.PostPager {
		link = func(n int) string { return strconv.Itoa(n) }
	}
	_, _, hv.Pager = s.pageOf(page, res.Total, link)
	for _, row := range res.Rows {
		h := row.Household
		rv := householdRowView{Name: h.HeadName, Address: h.Address, Phone: intake.FormatPhone(h.Phone), SelfAble: h.SelfAble}
		switch {
		case h.Check.Status != campaign.CheckNone:
			rv.SelfCheck, rv.SelfCheckClass, rv.SelfCheckReason = h.Check.Status.Label(), string(h.Check.Status), h.Check.Reason
		case row.SelfDrawn && h.SelfAble:
			rv.SelfCheck, rv.SelfCheckClass = "đã chọn, chờ gọi", "chua"
		}
		for _, rec := range row.Records {
			g := rec.Guidance
			r := recordView{When: g.At.In(s.loc).Format("15:04 02/01/2006"), Procedures: s.procedureNames(g),
				Officer: rec.Officer, Dossier: g.DossierCode, PhotoCount: len(g.PhotoFileIDs),
				Check: g.Check.Label(), CheckClass: string(g.Check), CheckReason: g.CheckReason,
				Waiting: rec.Drawn && g.Check == campaign.CheckNone && g.Counts(), Retracted: !g.Counts()}
			if g.Check == campaign.CheckNone {
				r.CheckClass = "chua"
			}
			if s.opt.Photo != nil {
				for n := range g.PhotoFileIDs {
					r.Photos = append(r.Photos, s.url("/anh-minh-chung/"+strconv.FormatUint(g.ID, 10)+"/"+strconv.Itoa(n+1)))
				}
			}
			rv.Records = append(rv.Records, r)
		}
		hv.Rows = append(hv.Rows, rv)
	}
	s.renderFor(w, r, http.StatusOK, v, "households", "", s.asOf(z), hv)
	return nil
}

// procedureNames lists a record's procedures by name, "Khác" with its text.
func (s *Server) procedureNames(g campaign.Guidance) string {
	names := make([]string, 0, len(g.Procedures))
	for _, id := range g.Procedures {
		n := s.procs[id]
		if n == "" {
			n = id
		}
		if id == campaign.OtherProcedureID && g.OtherProcedure != "" {
			n += " (" + g.OtherProcedure + ")"
		}
		names = append(names, n)
	}
	return strings.Join(names, "; ")
}

// downloadEvidence (GET /tai/danh-sach[/{hamlet}]) streams the evidence
// list as XLSX, as /export does: every active record with the household,
// the procedures, the officer and the spot-check result.
func (s *Server) downloadEvidence(w http.ResponseWriter, r *http.Request, v *viewer) error {
	id := r.PathValue("hamlet")
	z, err := s.zone(r.Context())
	if err != nil {
		return err
	}
	what := "toàn đặc khu"
	if id != "" {
		rk := z.hamlet(id)
		if rk == nil {
			return errNotFound
		}
		what = "ấp " + rk.Hamlet.Name
	}
	at := s.opt.Params.FiguresAt(z.at)
	name := "Danh sách hộ – " + what + " – " + strings.ReplaceAll(at.String(), "/", "-") + ".xlsx"
	started := false
	err = s.src.Evidence(r.Context(), id, func(rows export.RowSource) error {
		h := w.Header()
		h.Set("Content-Type", contentType(name))
		h.Set("Content-Disposition", contentDisposition("attachment", name))
		started = true
		_, err := export.WriteAnnex(w, s.loc, export.Annex{Scope: upperFirst(what), FiguresAt: at, Rows: rows, ProcedureNames: s.procs})
		return err
	})
	if err != nil && started {
		// Half a workbook is already out: the browser gets a broken file
		// and the log says why.
		s.log.Error("web: evidence download", "err", err)
		return nil
	}
	return err
}

// downloadDossier (GET /tai/ho-so/{hamlet}/{doc}) is a hamlet's award
// dossier as of the day figures stop at (today, at most the campaign's last
// day): the proposal (to-trinh) or the minutes (bien-ban).
func (s *Server) downloadDossier(w http.ResponseWriter, r *http.Request, v *viewer) error {
	id, doc := r.PathValue("hamlet"), r.PathValue("doc")
	if s.opt.Dossier == nil || (doc != "to-trinh" && doc != "bien-ban") {
		return errNotFound
	}
	z, rk, err := s.zoneHamlet(r.Context(), id)
	if err != nil {
		return err
	}
	at := s.opt.Params.FiguresAt(z.at)
	d, err := s.opt.Dossier(r.Context(), id, at)
	if err != nil {
		return fmt.Errorf("web: dossier of %s: %w", id, err)
	}
	data, title := d.Proposal, "Tờ trình"
	if doc == "bien-ban" {
		data, title = d.Minutes, "Biên bản họp xét"
	}
	if len(data) == 0 {
		s.message(w, r, http.StatusOK, "Ấp "+rk.Hamlet.Name+" chưa có gì để đề nghị khen thưởng", []string{
			"Tính đến ngày " + at.String() + ", tập thể ấp chưa đủ tiêu chuẩn đề nghị khen thưởng tập thể và không có cá nhân nào của ấp được đề nghị, nên chưa có tờ trình.",
			"Biên bản họp xét vẫn tải được: biên bản ghi rõ lý do.",
		})
		return nil
	}
	name := title + " – ấp " + rk.Hamlet.Name + " – " + strings.ReplaceAll(at.String(), "/", "-") + ".docx"
	h := w.Header()
	h.Set("Content-Type", contentType(name))
	h.Set("Content-Disposition", contentDisposition("attachment", name))
	h.Set("Content-Length", strconv.Itoa(len(data)))
	if r.Method != http.MethodHead {
		_, _ = w.Write(data)
	}
	return nil
}

// evidencePhoto (GET /anh-minh-chung/{record}/{n}) shows a record's n-th
// photo (admins only).
func (s *Server) evidencePhoto(w http.ResponseWriter, r *http.Request, v *viewer) error {
	if s.opt.Photo == nil {
		return errNotFound
	}
	id, err := strconv.ParseUint(r.PathValue("record"), 10, 64)
	if err != nil {
		return errNotFound
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 {
		return errNotFound
	}
	g, err := s.src.Record(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && n > len(g.PhotoFileIDs)) {
		return errNotFound
	} else if err != nil {
		return err
	}
	data, err := s.opt.Photo(r.Context(), g.PhotoFileIDs[n-1])
	if errors.Is(err, store.ErrNotFound) {
		s.message(w, r, http.StatusNotFound, "Không lấy được ảnh minh chứng", []string{
			"Ảnh này được gửi qua Telegram và Telegram giữ tệp: chỉ xem được khi bot đang kết nối Telegram và tệp còn trên Telegram.",
			"Báo cáo vẫn được ghi nhận kèm ảnh; nếu cần, nhờ cán bộ gửi lại ảnh cho bot.",
		})
		return nil
	}
	if err != nil {
		return fmt.Errorf("web: photo of record %d: %w", id, err)
	}
	ctype := http.DetectContentType(data)
	if !strings.HasPrefix(ctype, "image/") {
		return fmt.Errorf("web: photo of record %d is %s, not a picture", id, ctype)
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Length", strconv.Itoa(len(data)))
	h.Set("Content-Disposition", contentDisposition("inline", "anh-minh-chung-"+strconv.FormatUint(id, 10)+"-"+strconv.Itoa(n)+".jpg"))
	if r.Method != http.MethodHead {
		_, _ = w.Write(data)
	}
	return nil
}

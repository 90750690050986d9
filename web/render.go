package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strconv"
	"strings"

	"dvcbot/campaign"
	"dvcbot/scoring"
)

//go:embed templates/*.html static/kieu.css
var assets embed.FS

// pageNames are the templates of templates/, each rendered inside base.html.
var pageNames = []string{"overview", "hamlet", "me", "households", "file", "message"}

// parsePages parses every page with the layout.
func parsePages() (*template.Template, error) {
	funcs := template.FuncMap{
		"inc": func(i int) int { return i + 1 },
		"num": scoring.Number,
	}
	root := template.New("").Funcs(funcs)
	for _, name := range append([]string{"base"}, pageNames...) {
		b, err := fs.ReadFile(assets, "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", name, err)
		}
		if _, err := root.New(name).Parse(string(b)); err != nil {
			return nil, fmt.Errorf("web: template %s: %w", name, err)
		}
	}
	return root, nil
}

// layout is what base.html shows around every page.
type layout struct {
	Title    string
	Campaign string
	Who      string // "Nguyễn Văn An — trưởng ấp Bãi Nhà"; "" before a session
	Nav      []navItem
	AsOf     string // when the figures stop
	Expires  string // when the session ends
	CSS      string
	Logout   string
	Page     string // the template of the content
	Body     any
}

type navItem struct {
	Label, URL string
	Current    bool
}

// render executes a page inside the layout into a buffer, then writes it:
// a template error is a clean 500, never half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page string, body any) {
	s.renderFor(w, r, status, nil, page, "", "", body)
}

// renderFor is render for a signed-in viewer: their name, navigation and
// the moment the figures stop at.
func (s *Server) renderFor(w http.ResponseWriter, r *http.Request, status int, v *viewer, page, title, asOf string, body any) {
	l := layout{Title: title, Campaign: s.opt.CampaignName, CSS: s.url("/kieu.css"), Page: page, Body: body, AsOf: asOf}
	if v != nil {
		hamlet := s.hamletName(v.HamletID)
		l.Who = whoText(v.Person, hamlet)
		l.Nav = s.nav(v, hamlet, r.URL.Path)
		l.Expires = v.expires.In(s.loc).Format("02/01/2006")
		l.Logout = s.url("/thoat")
	}
	if l.Title == "" {
		if t, ok := body.(interface{ title() string }); ok {
			l.Title = t.title()
		}
	}
	var buf bytes.Buffer
	if err := s.pages.ExecuteTemplate(&buf, "base", l); err != nil {
		s.log.Error("web: render page", "page", page, "err", err)
		http.Error(w, "Lỗi hiển thị trang. Anh/chị thử mở lại sau ít phút; nếu vẫn lỗi, báo quản trị viên.", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(buf.Bytes())
	}
}

// body renders a page's content alone (without the layout), once per zone
// figures and key: the overview is the same for every viewer who sees the
// same links, and a hundred leaders opening it at once render it once.
func (s *Server) body(z *zone, key, page string, view func() any) (template.HTML, error) {
	if b, ok := z.bodies.Load(key); ok {
		return b.(template.HTML), nil
	}
	var buf bytes.Buffer
	if err := s.pages.ExecuteTemplate(&buf, page, view()); err != nil {
		return "", fmt.Errorf("web: render %s: %w", page, err)
	}
	b, _ := z.bodies.LoadOrStore(key, template.HTML(buf.String()))
	return b.(template.HTML), nil
}

// messageView is a page of a few sentences (refusals, errors).
type messageView struct {
	Heading string
	Lines   []string
}

func (m messageView) title() string { return m.Heading }

// message answers with a short Vietnamese page.
func (s *Server) message(w http.ResponseWriter, r *http.Request, status int, heading string, lines []string) {
	s.render(w, r, status, "message", messageView{Heading: heading, Lines: lines})
}

// whoText names the viewer and their role: "Nguyễn Văn An — trưởng ấp Bãi Nhà".
func whoText(p Person, hamlet string) string {
	role := p.Role.At(hamlet)
	if p.Role == campaign.RoleOfficer && hamlet != "" {
		role = "cán bộ ấp " + hamlet
	}
	if p.Name == "" {
		return upperFirst(role)
	}
	return p.Name + " — " + role
}

func upperFirst(s string) string {
	for i, r := range s {
		return strings.ToUpper(string(r)) + s[i+len(string(r)):]
	}
	return s
}

// nav is the navigation a viewer sees (hamlet names the viewer's hamlet),
// the page at path marked current.
func (s *Server) nav(v *viewer, hamlet, path string) []navItem {
	var out []navItem
	add := func(label, p string) {
		out = append(out, navItem{Label: label, URL: s.url(p), Current: path == p})
	}
	if seesZone(v.Role) {
		add("Toàn đặc khu", "/")
	}
	if v.HamletID != "" && v.Role != campaign.RoleOfficer {
		add("Ấp "+hamlet, "/ap/"+v.HamletID)
	}
	if v.HamletID != "" {
		add("Của tôi", "/toi")
	}
	return out
}

// stylesheet (GET /kieu.css) is the one stylesheet: no personal data, so
// browsers may keep it a day.
func (s *Server) stylesheet(w http.ResponseWriter, r *http.Request) {
	b, err := assets.ReadFile("static/kieu.css")
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/css; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=86400")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	if r.Method != http.MethodHead {
		_, _ = w.Write(b)
	}
}

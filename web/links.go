package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"dvcbot/campaign"
)

// sessionCookie names the session cookie. It holds a signed grant (see
// token.go), not an id of server-side state: nothing to look up but the
// person's current role, state and link generation.
const sessionCookie = "dvcbot_phien"

// PersonLink makes a personal dashboard link for a person in a role, valid
// for Options.LinkTTL from now, in the caller's write transaction (the
// bot's /trang): it moves the person to a new link generation, so that the
// link they had before, and any session opened with it, stop working.
func (s *Server) PersonLink(tx GenerationTx, person campaign.PersonID, role campaign.Role, now time.Time) (string, error) {
	if person == 0 || !role.Valid() {
		return "", fmt.Errorf("web: link for person %d in role %q: no such person or role", person, role)
	}
	gen, err := tx.BumpWebGeneration(person)
	if err != nil {
		return "", fmt.Errorf("web: link for person %d: %w", person, err)
	}
	g := grant{Person: person, Role: role, Generation: gen, Expires: now.Add(s.opt.LinkTTL).Truncate(time.Second)}
	return s.public + "/v/" + s.sign.grantToken(labelLink, g), nil
}

// Revoke ends every dashboard link and session of a person (the bot's
// /vohieu), in the caller's write transaction. A deactivated person is
// refused anyway (Person.Active), revoked or not.
func (s *Server) Revoke(tx GenerationTx, person campaign.PersonID) error {
	if _, err := tx.BumpWebGeneration(person); err != nil {
		return fmt.Errorf("web: revoke links of person %d: %w", person, err)
	}
	return nil
}

// viewer is the person behind a request and the grant they came with.
type viewer struct {
	Person
	expires time.Time
}

// refusal says why a link or a session does not let someone in.
type refusal int

const (
	refuseNone    refusal = iota
	refuseMissing         // no session: the page was opened without a link
	refuseForged          // damaged or forged
	refuseExpired         // past its time
	refuseRevoked         // a newer link exists, the person was deactivated or their role changed
)

// check verifies a grant against the person as the store knows them now.
func (s *Server) check(ctx context.Context, g grant, err error) (*viewer, refusal, error) {
	switch {
	case errors.Is(err, errExpired):
		return nil, refuseExpired, nil
	case err != nil:
		return nil, refuseForged, nil
	}
	p, err := s.src.Person(ctx, g.Person)
	switch {
	case errors.Is(err, ErrUnknownPerson):
		return nil, refuseRevoked, nil
	case err != nil:
		return nil, refuseNone, err
	}
	if !p.Active || p.Generation != g.Generation || p.Role != g.Role {
		return nil, refuseRevoked, nil
	}
	return &viewer{Person: p, expires: g.Expires}, refuseNone, nil
}

// viewerOf reads the session cookie of a request.
func (s *Server) viewerOf(r *http.Request) (*viewer, refusal, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil, refuseMissing, nil
	}
	g, err := s.sign.readGrant(labelSession, c.Value, s.now())
	return s.check(r.Context(), g, err)
}

// openLink (GET /v/{token}) turns a personal link into a session cookie
// and sends the browser to the same page without the token, so that the
// token leaves the address bar and the history.
func (s *Server) openLink(w http.ResponseWriter, r *http.Request) {
	tok := r.PathValue("token")
	g, err := s.sign.readGrant(labelLink, tok, s.now())
	v, why, err := s.check(r.Context(), g, err)
	if !s.admit(w, r, v, why, err) {
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name:     sessionCookie,
		Value:    s.sign.grantToken(labelSession, grant{Person: v.ID, Role: v.Role, Generation: v.Generation, Expires: g.Expires}),
		Path:     s.cookiePath(),
		Expires:  g.Expires,
		MaxAge:   max(1, int(g.Expires.Sub(s.now())/time.Second)),
		HttpOnly: true,
		Secure:   true,
		// Lax, not Strict: the link is opened from Zalo's or Telegram's
		// web client, another site, and Strict would drop the cookie on
		// the redirect that follows.
		SameSite: http.SameSiteLaxMode,
	})
	http.Redirect(w, r, s.url("/"), http.StatusSeeOther)
}

func (s *Server) cookiePath() string {
	if s.base == "" {
		return "/"
	}
	return s.base + "/"
}

// clearSession tells the browser to forget the session cookie.
func (s *Server) clearSession(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: s.cookiePath(), MaxAge: -1,
		HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
}

// logout (POST /thoat) forgets the session on this device.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if !s.sameOrigin(r) {
		s.forbidden(w, r, crossSite)
		return
	}
	s.clearSession(w)
	s.message(w, r, http.StatusOK, "Đã thoát", []string{
		"Trang đã quên phiên làm việc trên thiết bị này.",
		"Để mở lại, dùng liên kết bot đã gửi (nếu còn hạn) hoặc nhắn /trang cho bot để nhận liên kết mới.",
	})
}

// sameOrigin reports whether a form was posted from our own pages: the
// Origin header, when the browser sends one, must be the public address's.
// (The session cookie is SameSite=Lax, so a cross-site form carries no
// session anyway.)
func (s *Server) sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	return o == "" || o == s.origin
}

// crossSite refuses a form posted from another site.
const crossSite = "Yêu cầu không đến từ trang của dvcbot nên không được thực hiện."

// maxForm bounds a posted form (a search): a few hundred bytes are enough.
const maxForm = 8 << 10

// pageOpts says who may open a page.
type pageOpts struct {
	admin bool // admins only
}

// pageFunc renders a page for a viewer; an error is errNotFound, a
// forbidden, or a failure (logged, answered with a short apology).
type pageFunc func(w http.ResponseWriter, r *http.Request, v *viewer) error

// forbiddenError is a page refused to this viewer, with why.
type forbiddenError struct{ msg string }

func (e *forbiddenError) Error() string { return e.msg }

// page wraps a page with the session check, the request limit and the
// role check.
func (s *Server) page(h pageFunc, o pageOpts) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, why, err := s.viewerOf(r)
		if !s.admit(w, r, v, why, err) {
			return
		}
		if o.admin && v.Role != campaign.RoleAdmin {
			s.forbidden(w, r, "Trang này chỉ dành cho quản trị viên (Phòng Văn hóa – Xã hội).")
			return
		}
		if r.Method == http.MethodPost {
			if !s.sameOrigin(r) {
				s.forbidden(w, r, crossSite)
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, maxForm)
		}
		err = h(w, r, v)
		var fe *forbiddenError
		switch {
		case err == nil:
		case errors.Is(err, errNotFound):
			s.notFound(w, r)
		case errors.As(err, &fe):
			s.forbidden(w, r, fe.msg)
		case r.Context().Err() != nil:
			// The browser went away: nothing to answer.
		default:
			s.serverError(w, r, err)
		}
	}
}

// admit reports whether the viewer a link or a session names (check's or
// viewerOf's answer) is let in, within the person's request limit;
// otherwise it answers the request (refused, too many, or a failure).
func (s *Server) admit(w http.ResponseWriter, r *http.Request, v *viewer, why refusal, err error) bool {
	switch {
	case err != nil:
		s.serverError(w, r, err)
	case why != refuseNone:
		s.refuse(w, r, why)
	case !s.limit.allow(v.ID, s.now()):
		s.tooMany(w, r)
	default:
		return true
	}
	return false
}

// refuse answers a request whose link or session does not let it in.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, why refusal) {
	if why != refuseMissing {
		s.clearSession(w)
	}
	const again = "Nhắn /trang cho bot dvcbot (trên Zalo hoặc Telegram) để nhận liên kết mới, rồi mở liên kết đó."
	switch why {
	case refuseExpired:
		s.message(w, r, http.StatusForbidden, "Liên kết đã hết hạn", []string{
			"Liên kết cá nhân chỉ dùng được trong một thời gian để giữ an toàn số liệu.", again})
	case refuseRevoked:
		s.message(w, r, http.StatusForbidden, "Liên kết không còn hiệu lực", []string{
			"Liên kết này đã được thay bằng liên kết mới hơn, hoặc đã bị thu hồi (tài khoản bị vô hiệu hóa hay đổi vai trò).",
			again, "Nếu bot không gửi liên kết, xin liên hệ quản trị viên của phong trào."})
	case refuseForged:
		s.message(w, r, http.StatusForbidden, "Liên kết không đúng", []string{
			"Liên kết bị thiếu hoặc sai ký tự. Hãy mở đúng liên kết bot đã gửi (chạm vào liên kết, không chép tay).", again})
	default:
		s.message(w, r, http.StatusForbidden, "Cần liên kết cá nhân", []string{
			"Trang số liệu của phong trào chỉ mở được bằng liên kết cá nhân.", again})
	}
}

// forbidden refuses a page to a viewer, saying why and where to go instead.
func (s *Server) forbidden(w http.ResponseWriter, r *http.Request, msg string) {
	s.message(w, r, http.StatusForbidden, "Không xem được trang này", []string{msg,
		"Để xem số liệu, mở lại liên kết cá nhân bot đã gửi (hoặc nhắn /trang cho bot để nhận liên kết mới)."})
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.message(w, r, http.StatusNotFound, "Không có trang này", []string{
		"Địa chỉ không đúng hoặc trang không còn nữa. Mở trang chính bằng liên kết bot đã gửi (nhắn /trang cho bot để nhận liên kết mới)."})
}

func (s *Server) tooMany(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Retry-After", "30")
	s.message(w, r, http.StatusTooManyRequests, "Mở trang quá nhanh", []string{
		"Trong một phút vừa qua có quá nhiều yêu cầu từ liên kết này. Xin đợi nửa phút rồi mở lại."})
}

func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Error("web page", "route", r.Pattern, "err", err)
	s.message(w, r, http.StatusInternalServerError, "Có lỗi khi lấy số liệu", []string{
		"Xin lỗi, trang chưa hiện được. Anh/chị thử mở lại sau ít phút; nếu vẫn lỗi, báo quản trị viên."})
}

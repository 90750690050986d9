package bot

import (
	"errors"
	"strings"
	"unicode/utf8"

	"dvcbot/chat"

	"dvcbot/campaign"
	"dvcbot/store"
)

// Exclusions (/loaitru, /boloaitru): an admin takes an officer or a hamlet
// out of every award (discipline, investigation, inspection, complaint),
// with a reason, and lifts it later. Both are audited by the store; scoring
// lists the excluded with "đang bị loại trừ: <lý do>" wherever candidates
// are shown.

var exclusionUsage = "Cách dùng:\n" +
	code("/loaitru") + " — xem các trường hợp đang bị loại trừ\n" +
	code("/loaitru canbo 12 Đang bị xem xét kỷ luật") + " — loại trừ cán bộ (số của cán bộ, xem bằng /canbo)\n" +
	code("/loaitru ap bai-nha Đang có khiếu nại chưa giải quyết") + " — loại trừ ấp\n" +
	code("/boloaitru canbo 12") + " hoặc " + code("/boloaitru ap bai-nha") + " — bỏ loại trừ"

// exclusionKind reads "canbo" / "ap" (with or without diacritics, or in English).
func exclusionKind(word string) (campaign.ExclusionKind, bool) {
	switch labelKey(word) {
	case "canbo", "cb", "officer", "canhan":
		return campaign.ExcludeOfficer, true
	case "ap", "hamlet", "tapthe":
		return campaign.ExcludeHamlet, true
	}
	return "", false
}

// exclusionTarget resolves the target of an exclusion command: a hamlet id
// or a registered officer's Telegram id. It returns the stored target, a
// description for replies, or ok false after replying why not.
func (c *cx) exclusionTarget(kind campaign.ExclusionKind, word string) (target, label string, ok bool, err error) {
	if kind == campaign.ExcludeHamlet {
		h, ok, err := c.hamletArg(word, "")
		if !ok {
			return "", "", false, err
		}
		return h.ID, "ấp " + bold(h.Name), true, nil
	}
	id, ok := parsePersonID(word)
	if !ok {
		c.reply("«" + plain(limitRunes(word, 40)) + "» không phải số của cán bộ. Gõ /canbo để xem số của từng cán bộ.\n\n" + exclusionUsage)
		return "", "", false, nil
	}
	o, err := c.tx.Officer(id)
	if errors.Is(err, store.ErrNotFound) {
		c.reply("Không có cán bộ nào mang số " + id.String() + ". Gõ /canbo để xem số của từng cán bộ.")
		return "", "", false, nil
	} else if err != nil {
		return "", "", false, err
	}
	return id.String(), c.exclusionWho(o), true, nil
}

// exclusionWho names an officer: "cán bộ " + bold("Lê Văn Tám") + " (ấp Bãi Nhà, số 12)".
func (c *cx) exclusionWho(o campaign.Officer) string {
	name := o.FullName
	if name == "" {
		name = "số " + o.ID.String()
	}
	place := ""
	if o.HamletID != "" {
		place = "ấp " + plain(c.spotHamletName(o.HamletID)) + ", "
	}
	return "cán bộ " + bold(name) + " (" + place + "số " + o.ID.String() + ")"
}

// exclusionLabel names the target of a stored exclusion.
func (c *cx) exclusionLabel(e campaign.Exclusion) string {
	if e.Kind == campaign.ExcludeHamlet {
		return "Ấp " + bold((c.spotHamletName(e.Target))) + " (" + plain(e.Target) + ")"
	}
	id, ok := campaign.ParsePersonID(e.Target)
	if !ok {
		return "Cán bộ " + plain(e.Target)
	}
	if o, err := c.tx.Officer(id); err == nil {
		return upperFirstRune(c.exclusionWho(o))
	}
	return "Cán bộ số " + plain(e.Target)
}

func upperFirstRune(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return strings.ToUpper(string(r)) + s[n:]
}

// cmdExclude (/loaitru [canbo <id> | ap <hamlet-id>] <lý do>) excludes, or
// lists the exclusions in force when given nothing.
func (c *cx) cmdExclude(args string) error {
	f := strings.Fields(args)
	if len(f) == 0 {
		return c.listExclusions()
	}
	kind, ok := exclusionKind(f[0])
	if !ok || len(f) < 2 {
		c.reply(exclusionUsage)
		return nil
	}
	target, label, ok, err := c.exclusionTarget(kind, f[1])
	if err != nil || !ok {
		return err
	}
	reason := strings.TrimSpace(strings.Join(f[2:], " "))
	switch n := utf8.RuneCountInString(reason); {
	case n == 0:
		c.reply("Cần ghi " + bold("lý do") + " loại trừ (ví dụ: đang bị xem xét kỷ luật, đang bị thanh tra, có khiếu nại chưa giải quyết).\nVí dụ: " + chat.CodeStart + "/loaitru " +
			plain(f[0]) + " " + plain(f[1]) + " Đang bị xem xét kỷ luật" + chat.CodeEnd)
		return nil
	case n > maxReasonRunes:
		c.reply("Lý do dài " + itoa(n) + " ký tự, quá " + itoa(maxReasonRunes) + " ký tự. Vui lòng ghi ngắn gọn hơn.")
		return nil
	}
	e := campaign.Exclusion{Kind: kind, Target: target, Reason: reason, By: c.who.ID}
	updated := false
	exs, err := c.tx.Exclusions()
	if err != nil {
		return err
	}
	for _, x := range exs {
		if x.Kind == kind && x.Target == target {
			e.At, updated = x.At, true // keep the day it came into force
		}
	}
	if err := c.tx.PutExclusion(e); err != nil {
		return err
	}
	if updated {
		c.reply("✏️ Đã cập nhật lý do loại trừ " + label + ": " + plain(reason) + ".\n(Vẫn tính từ ngày " + fmtDate(e.At, c.e.set.Location) + ".)")
		return nil
	}
	c.reply("⛔ Đã loại trừ " + label + " khỏi mọi danh sách khen thưởng, từ hôm nay " + fmtDate(c.now, c.e.set.Location) +
		".\nLý do: " + plain(reason) + "\nĐể bỏ loại trừ: " + chat.CodeStart + "/boloaitru " + plain(labelKey(f[0])) + " " + plain(target) + chat.CodeEnd)
	return nil
}

// cmdLiftExclusion (/boloaitru canbo <id> | ap <hamlet-id>) lifts an exclusion.
func (c *cx) cmdLiftExclusion(args string) error {
	f := strings.Fields(args)
	kind, ok := campaign.ExclusionKind(""), false
	if len(f) == 2 {
		kind, ok = exclusionKind(f[0])
	}
	if !ok {
		c.reply(exclusionUsage)
		return nil
	}
	target := strings.ToLower(f[1])
	if id, ok := parsePersonID(target); ok && kind == campaign.ExcludeOfficer {
		target = id.String()
	}
	err := c.tx.DeleteExclusion(kind, target, c.who.ID)
	if errors.Is(err, store.ErrNotFound) {
		c.reply("Không có trường hợp loại trừ nào với " + map[campaign.ExclusionKind]string{campaign.ExcludeHamlet: "ấp", campaign.ExcludeOfficer: "cán bộ"}[kind] +
			" «" + plain(limitRunes(f[1], 40)) + "». Gõ /loaitru để xem danh sách đang bị loại trừ.")
		return nil
	} else if err != nil {
		return err
	}
	c.reply("✅ Đã bỏ loại trừ " + c.exclusionLabel(campaign.Exclusion{Kind: kind, Target: target}) +
		". Từ nay được xét khen thưởng trở lại theo số liệu (xem /khenthuong).")
	return nil
}

// listExclusions shows every exclusion in force with its reason and date.
func (c *cx) listExclusions() error {
	exs, err := c.tx.Exclusions()
	if err != nil {
		return err
	}
	if len(exs) == 0 {
		c.reply("Hiện không có cán bộ hay ấp nào bị loại trừ khỏi khen thưởng.\n\n" + exclusionUsage)
		return nil
	}
	var b strings.Builder
	b.WriteString("⛔ " + bold("Đang bị loại trừ khỏi khen thưởng") + " (" + itoa(len(exs)) + ")\n")
	loc := c.e.set.Location
	for _, e := range exs {
		b.WriteString("• " + c.exclusionLabel(e) + " — từ " + fmtDate(e.At, loc) + ", lý do: " + plain(e.Reason) +
			" (ghi bởi " + plain(c.spotWho(e.By)) + ")\n")
	}
	b.WriteString("\nBỏ loại trừ: " + code("/boloaitru canbo <số cán bộ>") + " hoặc " + code("/boloaitru ap <mã ấp>"))
	c.reply(b.String())
	return nil
}

package scoring

import (
	"slices"
	"strconv"
	"strings"
	"testing"
)

// Award tests build Facts directly, so that each figure can be set on its own.

func guided(hamlet string, n int, day Date, procs int) []Household {
	out := make([]Household, n)
	for i := range out {
		out[i] = Household{HamletID: hamlet, GuidedFrom: day}
		for range procs {
			out[i].ProcedureDates = append(out[i].ProcedureDates, day)
		}
	}
	return out
}

func metDays(hamlet string, from, to Date) []HamletDay {
	var out []HamletDay
	for day := from; !day.After(to); day = day.AddDays(1) {
		out = append(out, HamletDay{HamletID: hamlet, Date: day, Households: 1})
	}
	return out
}

func pairs(officer int64, n int, day Date) []OfficerHousehold {
	out := make([]OfficerHousehold, n)
	for i := range out {
		out[i] = OfficerHousehold{OfficerID: officer, First: day}
	}
	return out
}

func activeDays(officer int64, from, to Date) []OfficerDay {
	var out []OfficerDay
	for day := from; !day.After(to); day = day.AddDays(1) {
		out = append(out, OfficerDay{OfficerID: officer, Date: day, Households: 1, Procedures: 1})
	}
	return out
}

type line struct {
	id     string
	reason string
	tie    bool
}

func hamletLines(cs []HamletCandidate) []line {
	out := make([]line, len(cs))
	for i, c := range cs {
		out[i] = line{c.Stats.Hamlet.ID, c.Reason(), c.Tie}
	}
	return out
}

func officerLines(cs []OfficerCandidate) []line {
	out := make([]line, len(cs))
	for i, c := range cs {
		out[i] = line{strconv.FormatInt(c.Stats.Officer.ID, 10), c.Reason(), c.Tie}
	}
	return out
}

func sameLines(t *testing.T, what string, got, want []line) {
	t.Helper()
	if !slices.Equal(got, want) {
		var b strings.Builder
		for _, l := range got {
			b.WriteString("\n  " + l.id + " | " + l.reason + " | tie=" + strconv.FormatBool(l.tie))
		}
		t.Errorf("%s:%s\nwant %v", what, b.String(), want)
	}
}

func TestCollectiveCandidates(t *testing.T) {
	var f Facts
	add := func(id string, households, able int, reached Date, met int) {
		f.Hamlets = append(f.Hamlets, Hamlet{ID: id, Name: "Ấp " + id, Households: households})
		// The household that makes the threshold is guided on day reached.
		early := max(0, min(able, (households*95+99)/100-1))
		f.Households = append(f.Households, guided(id, early, d(2026, 4, 1), 0)...)
		f.Households = append(f.Households, guided(id, able-early, reached, 0)...)
		if met > 0 {
			f.HamletDays = append(f.HamletDays, metDays(id, may(1), may(met))...)
		}
	}
	add("c1", 20, 20, may(10), 10)
	add("c2", 20, 20, may(12), 12)
	add("c5", 20, 20, may(5), 12)
	add("c9", 20, 20, may(5), 12) // ties with c5 on every figure: id decides
	add("c3", 20, 19, may(20), 20)
	add("c4", 20, 19, may(20), 5)
	add("c6", 20, 19, may(20), 20)
	add("edge95", 10000, 9500, may(20), 20) // 95,00%: equals c3 and c6
	add("edge94", 10000, 9499, may(20), 30) // 94,99%
	add("low", 20, 18, may(1), 31)
	add("failed", 20, 20, may(1), 31)
	add("excluded", 20, 20, may(1), 31)
	add("nohh", 0, 3, may(1), 31)
	f.Households = append(f.Households, Household{HamletID: "c1", SelfAbleFrom: may(2), GuidedFrom: may(3)}) // extra able household clamps at 100%
	f.Checks = []Check{
		{HamletID: "failed", OfficerID: 7, Date: may(2), Status: CheckFailed},
		{HamletID: "c5", OfficerID: 8, Date: may(3), Status: CheckPassed},
		{HamletID: "c5", OfficerID: 8, Date: may(4), Status: CheckPassed},
		{HamletID: "c1", OfficerID: 8, Date: may(4), Status: CheckUnreachable},
	}
	f.Exclusions = []Exclusion{{Kind: ExcludeHamlet, Target: "excluded", Reason: "đang bị thanh tra", Since: may(1)}}

	a := Candidates(f, DefaultParams(), may(31))
	sameLines(t, "selected", hamletLines(a.Collectives), []line{
		{"c5", "độ phủ 100,0% ≥ 95,0% (đạt từ ngày 05/05/2026); 12/151 ngày đạt chỉ tiêu; kiểm tra ngẫu nhiên: 2 lần đạt", false},
		{"c9", "độ phủ 100,0% ≥ 95,0% (đạt từ ngày 05/05/2026); 12/151 ngày đạt chỉ tiêu", false},
		{"c2", "độ phủ 100,0% ≥ 95,0% (đạt từ ngày 12/05/2026); 12/151 ngày đạt chỉ tiêu", false},
		{"c1", "độ phủ 100,0% ≥ 95,0% (đạt từ ngày 02/05/2026); 10/151 ngày đạt chỉ tiêu; số hộ biết làm vượt số hộ trong sổ 1 hộ: cần sửa số hộ của ấp (/sosho)", false},
		{"c3", "độ phủ 95,0% ≥ 95,0% (đạt từ ngày 20/05/2026); 20/151 ngày đạt chỉ tiêu", false},
		{"c6", "độ phủ 95,0% ≥ 95,0% (đạt từ ngày 20/05/2026); 20/151 ngày đạt chỉ tiêu", false},
	})
	for i, c := range a.Collectives {
		if c.Rank != i+1 {
			t.Errorf("%s rank %d, want %d", c.Stats.Hamlet.ID, c.Rank, i+1)
		}
	}
	sameLines(t, "not selected", hamletLines(a.NotSelected.Collectives), []line{
		{"edge95", "đủ tiêu chuẩn, vượt số lượng 06 — Hội đồng xét; độ phủ 95,0% ≥ 95,0% (đạt từ ngày 20/05/2026); 20/151 ngày đạt chỉ tiêu", true},
		{"c4", "đủ tiêu chuẩn, vượt số lượng 06 — Hội đồng xét; độ phủ 95,0% ≥ 95,0% (đạt từ ngày 20/05/2026); 5/151 ngày đạt chỉ tiêu", false},
		{"excluded", "đang bị loại trừ: đang bị thanh tra", false},
		{"failed", "kiểm tra ngẫu nhiên không đạt ngày 02/05/2026", false},
		{"edge94", "độ phủ 94,9% < 95,0%", false},
		{"low", "độ phủ 90,0% < 95,0%", false},
		{"nohh", "chưa khai báo số hộ của ấp", false},
	})
	for _, c := range a.NotSelected.Collectives {
		if c.Rank != 0 {
			t.Errorf("%s not selected but ranked %d", c.Stats.Hamlet.ID, c.Rank)
		}
		// A hamlet that meets the standard is never said to fall short of it.
		if meets := c.Stats.Hamlet.ID == "edge95" || c.Stats.Hamlet.ID == "c4"; c.MeetsStandard != meets {
			t.Errorf("%s MeetsStandard = %v, want %v", c.Stats.Hamlet.ID, c.MeetsStandard, meets)
		}
		if c.MeetsStandard && strings.Contains(c.Reason(), "chưa đủ") {
			t.Errorf("%s meets the standard but reads %q", c.Stats.Hamlet.ID, c.Reason())
		}
	}
	if got, want := a.CollectiveNote(), "Có 08 ấp đủ tiêu chuẩn tập thể: 06 ấp xếp đầu được đề nghị; 02 ấp còn lại đủ tiêu chuẩn, vượt số lượng 06 — Hội đồng xét."; got != want {
		t.Errorf("CollectiveNote = %q, want %q", got, want)
	}
	if a.At != may(31) {
		t.Errorf("At = %v", a.At)
	}

	// As of 01/05 the failed check had not happened yet.
	early := Candidates(f, DefaultParams(), may(1))
	for _, c := range early.NotSelected.Collectives {
		if c.Stats.Hamlet.ID == "failed" && strings.Contains(c.Reason(), "kiểm tra") {
			t.Errorf("a check of 02/05 counted as of 01/05: %s", c.Reason())
		}
	}
}

func TestCollectiveThresholdsAndCaps(t *testing.T) {
	var f Facts
	for i := range 9 {
		id := "h" + strconv.Itoa(i)
		f.Hamlets = append(f.Hamlets, Hamlet{ID: id, Households: 40})
		f.Households = append(f.Households, guided(id, 39, may(1), 0)...) // 97,5%
	}
	p := DefaultParams()
	p.CoverageThreshold = 0.975
	p.MaxCollectives = 2
	a := Candidates(f, p, may(31))
	if len(a.Collectives) != 2 || len(a.NotSelected.Collectives) != 7 {
		t.Fatalf("got %d selected, %d not", len(a.Collectives), len(a.NotSelected.Collectives))
	}
	if r := a.Collectives[0].Reasons[0]; r != "độ phủ 97,5% ≥ 97,5% (đạt từ ngày 01/05/2026)" {
		t.Errorf("reason %q", r)
	}
	if r := a.NotSelected.Collectives[0].Reason(); r != "đủ tiêu chuẩn, vượt số lượng 02 — Hội đồng xét; độ phủ 97,5% ≥ 97,5% (đạt từ ngày 01/05/2026); 0/151 ngày đạt chỉ tiêu" || !a.NotSelected.Collectives[0].Tie {
		t.Errorf("capped reason %q tie %v", r, a.NotSelected.Collectives[0].Tie)
	}
	p.CoverageThreshold = 0.98
	a = Candidates(f, p, may(31))
	if len(a.Collectives) != 0 || a.NotSelected.Collectives[0].Reason() != "độ phủ 97,5% < 98,0%" {
		t.Errorf("at 98%%: %d selected, %q", len(a.Collectives), a.NotSelected.Collectives[0].Reason())
	}
	p.CoverageThreshold = 0.95
	p.MaxCollectives = 0
	a = Candidates(f, p, may(31))
	if len(a.Collectives) != 0 || !strings.HasPrefix(a.NotSelected.Collectives[0].Reason(), "kế hoạch không có suất tập thể; độ phủ 97,5%") {
		t.Errorf("no collective awards: %d selected, %q", len(a.Collectives), a.NotSelected.Collectives[0].Reason())
	}
}

func TestIndividualCandidates(t *testing.T) {
	var f Facts
	f.Hamlets = []Hamlet{{ID: "a", Households: 1000}}
	// 30 eligible officers: officer i guided 100-i households; 26 fit.
	for i := 1; i <= 30; i++ {
		id := int64(100 + i)
		f.Officers = append(f.Officers, Officer{ID: id, Name: "Cán bộ " + strconv.Itoa(i), HamletID: "a", Active: true})
		f.OfficerHouseholds = append(f.OfficerHouseholds, pairs(id, 100-i, may(1))...)
		f.OfficerDays = append(f.OfficerDays, activeDays(id, may(1), may(5))...)
	}
	// Ties on households are broken by days active, then by name.
	f.Officers = append(f.Officers,
		Officer{ID: 1, Name: "Đặng Văn Đức", HamletID: "a"},
		Officer{ID: 2, Name: "Đặng Văn Dũng", HamletID: "a"},
		Officer{ID: 3, Name: "Bùi Thị Ánh", HamletID: "a"},
		Officer{ID: 4, Name: "Trần Thị Kiểm", HamletID: "a"},
		Officer{ID: 5, Name: "Hồ Văn Loại", HamletID: "a"},
		Officer{ID: 6, Name: "Mai Văn Mới", HamletID: "a"},
	)
	f.OfficerHouseholds = append(f.OfficerHouseholds, cat(pairs(1, 200, may(1)), pairs(2, 200, may(1)), pairs(3, 200, may(1)),
		pairs(4, 500, may(1)), pairs(5, 500, may(1)), pairs(6, 10, d(2026, 6, 1)))...)
	f.OfficerDays = append(f.OfficerDays, cat(activeDays(1, may(1), may(10)), activeDays(2, may(1), may(10)), activeDays(3, may(1), may(20)),
		activeDays(4, may(1), may(20)), activeDays(5, may(1), may(20)))...)
	f.Checks = []Check{
		{HamletID: "a", OfficerID: 4, Date: may(2), Status: CheckFailed, Reason: "hộ không xác nhận"},
		{HamletID: "a", OfficerID: 4, Date: may(9), Status: CheckFailed},
		{HamletID: "a", OfficerID: 1, Date: may(9), Status: CheckPassed},
	}
	f.Exclusions = []Exclusion{{Kind: ExcludeOfficer, Target: "5", Reason: "đang bị kỷ luật"}}

	a := Candidates(f, DefaultParams(), may(31))
	if len(a.Individuals) != 26 {
		t.Fatalf("got %d individuals, want the cap of 26", len(a.Individuals))
	}
	top := officerLines(a.Individuals[:4])
	sameLines(t, "top individuals", top, []line{
		{"3", "hướng dẫn 200 hộ; 20 ngày có báo cáo", false},
		{"2", "hướng dẫn 200 hộ; 10 ngày có báo cáo", false}, // Dũng before Đức
		{"1", "hướng dẫn 200 hộ; 10 ngày có báo cáo; kiểm tra ngẫu nhiên: 1 lần đạt", false},
		{"101", "hướng dẫn 99 hộ; 5 ngày có báo cáo", false},
	})
	if last := a.Individuals[25]; last.Stats.Officer.ID != 123 || last.Rank != 26 {
		t.Errorf("26th is %d rank %d", last.Stats.Officer.ID, last.Rank)
	}
	sameLines(t, "not selected", officerLines(a.NotSelected.Individuals), []line{
		{"124", "xếp sau 26 cá nhân đề nghị xét theo số liệu — Hội đồng xét", false},
		{"125", "xếp sau 26 cá nhân đề nghị xét theo số liệu — Hội đồng xét", false},
		{"126", "xếp sau 26 cá nhân đề nghị xét theo số liệu — Hội đồng xét", false},
		{"127", "xếp sau 26 cá nhân đề nghị xét theo số liệu — Hội đồng xét", false},
		{"128", "xếp sau 26 cá nhân đề nghị xét theo số liệu — Hội đồng xét", false},
		{"129", "xếp sau 26 cá nhân đề nghị xét theo số liệu — Hội đồng xét", false},
		{"130", "xếp sau 26 cá nhân đề nghị xét theo số liệu — Hội đồng xét", false},
		{"4", "kiểm tra ngẫu nhiên không đạt ngày 02/05/2026 và 09/05/2026", false},
		{"5", "đang bị loại trừ: đang bị kỷ luật", false},
		{"6", "chưa hướng dẫn hộ nào", false}, // guided only after the as-of day
	})
}

func TestIndividualTieAtCap(t *testing.T) {
	var f Facts
	for i := int64(1); i <= 3; i++ {
		f.Officers = append(f.Officers, Officer{ID: i, Name: "Cán bộ"})
		f.OfficerHouseholds = append(f.OfficerHouseholds, pairs(i, 5, may(1))...)
	}
	p := DefaultParams()
	p.MaxIndividuals = 2
	a := Candidates(f, p, may(2))
	sameLines(t, "selected", officerLines(a.Individuals), []line{
		{"1", "hướng dẫn 5 hộ; 0 ngày có báo cáo", false},
		{"2", "hướng dẫn 5 hộ; 0 ngày có báo cáo", false},
	})
	sameLines(t, "not selected", officerLines(a.NotSelected.Individuals), []line{{"3", "xếp sau 02 cá nhân đề nghị xét theo số liệu — Hội đồng xét", true}})
}

func TestFailedCheckExcludesHamletAndReporter(t *testing.T) {
	var f Facts
	f.Hamlets = []Hamlet{{ID: "a", Households: 10}, {ID: "b", Households: 10}}
	f.Households = cat(guided("a", 10, may(1), 2), guided("b", 10, may(1), 2))
	f.HamletDays = cat(metDays("a", may(1), may(2)), metDays("b", may(1), may(2)))
	f.Officers = []Officer{{ID: 1, Name: "An", HamletID: "a"}, {ID: 2, Name: "Bình", HamletID: "a"}, {ID: 3, Name: "Chi", HamletID: "b"}}
	f.OfficerHouseholds = cat(pairs(1, 5, may(1)), pairs(2, 5, may(1)), pairs(3, 10, may(1)))
	// Officer 3 of hamlet b reported a record in hamlet a that failed.
	f.Checks = []Check{{HamletID: "a", OfficerID: 3, Date: may(2), Status: CheckFailed}}
	// Officer 1 is excluded: hamlet a is not excluded by that alone.
	f.Exclusions = []Exclusion{{Kind: ExcludeOfficer, Target: "1", Reason: "khiếu nại"}}
	a := Candidates(f, DefaultParams(), may(2))
	sameLines(t, "collectives", hamletLines(a.Collectives), []line{
		{"b", "độ phủ 100,0% ≥ 95,0% (đạt từ ngày 01/05/2026); 2/122 ngày đạt chỉ tiêu", false},
	})
	sameLines(t, "not collectives", hamletLines(a.NotSelected.Collectives), []line{
		{"a", "kiểm tra ngẫu nhiên không đạt ngày 02/05/2026", false},
	})
	sameLines(t, "special", hamletLines(a.Special), []line{
		{"b", "100,0% số hộ (10/10) đã được hướng dẫn đủ 02 thủ tục (ấp dưới 365 hộ), đạt điều kiện 95,0%; 2/122 ngày đạt chỉ tiêu", false},
	})
	sameLines(t, "not special", hamletLines(a.NotSelected.Special), []line{
		{"a", "kiểm tra ngẫu nhiên không đạt ngày 02/05/2026", false},
	})
	sameLines(t, "individuals", officerLines(a.Individuals), []line{{"2", "hướng dẫn 5 hộ; 0 ngày có báo cáo", false}})
	sameLines(t, "not individuals", officerLines(a.NotSelected.Individuals), []line{
		{"3", "kiểm tra ngẫu nhiên không đạt ngày 02/05/2026", false},
		{"1", "đang bị loại trừ: khiếu nại", false},
	})
}

func TestSpecialPrizeCandidates(t *testing.T) {
	var f Facts
	add := func(id string, households int, hs ...[]Household) {
		f.Hamlets = append(f.Hamlets, Hamlet{ID: id, Households: households})
		for _, h := range hs {
			f.Households = append(f.Households, h...)
		}
	}
	add("big365", 365, guided("big365", 347, may(1), 1))                                         // k = 1: 347/365 = 95,06%: meets
	add("big400", 400, guided("big400", 379, may(1), 1))                                         // k = 1: 379/400 = 94,75%: short by 1
	add("small364", 364, guided("small364", 250, may(1), 1), guided("small364", 100, may(1), 2)) // k = 2: 100/364 = 27,4%
	add("s1", 100, guided("s1", 96, may(1), 2))                                                  // 96%
	add("s2", 100, guided("s2", 96, may(1), 3))                                                  // 96%, more days met
	add("s3", 100, guided("s3", 100, may(1), 2))                                                 // 100%, but excluded
	add("s4", 100, guided("s4", 95, may(1), 2))                                                  // exactly 95%: meets, fourth
	add("none", 100, guided("none", 50, may(1), 1))                                              // guided, but nobody has 2
	add("idle", 100)
	add("later", 100, guided("later", 99, d(2026, 6, 1), 2)) // after the as-of day
	f.HamletDays = metDays("s2", may(1), may(3))
	f.Exclusions = []Exclusion{{Kind: ExcludeHamlet, Target: "s3", Reason: ""}}
	// A household whose second procedure comes after the as-of day does not count yet.
	f.Households = append(f.Households, Household{HamletID: "s1", GuidedFrom: may(1), ProcedureDates: []Date{may(1), d(2026, 6, 2)}})

	a := Candidates(f, DefaultParams(), may(31))
	sameLines(t, "special", hamletLines(a.Special), []line{
		{"s2", "96,0% số hộ (96/100) đã được hướng dẫn đủ 02 thủ tục (ấp dưới 365 hộ), đạt điều kiện 95,0%; 3/151 ngày đạt chỉ tiêu", false},
		{"s1", "96,0% số hộ (96/100) đã được hướng dẫn đủ 02 thủ tục (ấp dưới 365 hộ), đạt điều kiện 95,0%; 0/151 ngày đạt chỉ tiêu", false},
		{"big365", "95,0% số hộ (347/365) đã được hướng dẫn đủ 01 thủ tục (ấp từ 365 hộ trở lên), đạt điều kiện 95,0%; 0/151 ngày đạt chỉ tiêu", false},
	})
	sameLines(t, "not special", hamletLines(a.NotSelected.Special), []line{
		{"s4", "đủ điều kiện, vượt số lượng 03 phần quà khen thưởng riêng — Hội đồng xét; 95,0% số hộ (95/100) đã được hướng dẫn đủ 02 thủ tục (ấp dưới 365 hộ), đạt điều kiện 95,0%; 0/151 ngày đạt chỉ tiêu", false},
		{"s3", "đang bị loại trừ", false},
		{"big400", "94,7% số hộ (379/400) đã được hướng dẫn đủ 01 thủ tục (ấp từ 365 hộ trở lên), chưa đạt điều kiện 95,0% (380 hộ): còn thiếu 1 hộ", false},
		{"small364", "27,4% số hộ (100/364) đã được hướng dẫn đủ 02 thủ tục (ấp dưới 365 hộ), chưa đạt điều kiện 95,0% (346 hộ): còn thiếu 246 hộ", false},
		{"idle", "chưa hướng dẫn hộ nào; điều kiện: 95 hộ (95,0% số hộ) được hướng dẫn đủ 02 thủ tục", false},
		{"later", "chưa hướng dẫn hộ nào; điều kiện: 95 hộ (95,0% số hộ) được hướng dẫn đủ 02 thủ tục", false},
		{"none", "0,0% số hộ (0/100) đã được hướng dẫn đủ 02 thủ tục (ấp dưới 365 hộ), chưa đạt điều kiện 95,0% (95 hộ): còn thiếu 95 hộ", false},
	})
	if note := a.SpecialNote(DefaultParams()); note != "" {
		t.Errorf("three prizes, three hamlets: note %q", note)
	}
	// How far each hamlet is from the condition.
	for _, s := range Hamlets(f, DefaultParams(), DefaultParams().Campaign(), may(31)) {
		want := map[string]int{"big365": 0, "big400": 1, "small364": 246, "s1": 0, "s2": 0, "s3": 0, "s4": 0, "none": 95, "idle": 95, "later": 95}[s.Hamlet.ID]
		if s.SpecialShort() != want || s.SpecialMet() != (want == 0) {
			t.Errorf("%s: SpecialShort %d SpecialMet %v, want %d", s.Hamlet.ID, s.SpecialShort(), s.SpecialMet(), want)
		}
	}
}

// TestSpecialPrizeConditionBoundary checks the condition at exactly the
// share, one household below it, with the configured share and the zero
// value that means the default.
func TestSpecialPrizeConditionBoundary(t *testing.T) {
	for _, tc := range []struct {
		name             string
		share            float64
		households, done int
		met              bool
		needed           int
	}{
		{"exactly 95% of 100", 0.95, 100, 95, true, 95},
		{"one below 95% of 100", 0.95, 100, 94, false, 95},
		{"exactly 95% of 20", 0.95, 20, 19, true, 19},
		{"95% of 365 needs 347 (346,75)", 0.95, 365, 347, true, 347},
		{"346 of 365 is 94,79%", 0.95, 365, 346, false, 347},
		{"9.500 of 10.000", 0.95, 10000, 9500, true, 9500},
		{"9.499 of 10.000", 0.95, 10000, 9499, false, 9500},
		{"zero share means the default", 0, 100, 95, true, 95},
		{"zero share, one below", 0, 100, 94, false, 95},
		{"configured 80%", 0.8, 100, 80, true, 80},
		{"configured 100%, one short", 1, 100, 99, false, 100},
		{"no households", 0.95, 0, 0, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := DefaultParams()
			p.SpecialMinShare = tc.share
			if got := p.MeetsSpecialCondition(tc.done, tc.households); got != tc.met {
				t.Errorf("MeetsSpecialCondition(%d, %d) = %v, want %v", tc.done, tc.households, got, tc.met)
			}
			if got := p.SpecialNeeded(tc.households); got != tc.needed {
				t.Errorf("SpecialNeeded(%d) = %d, want %d", tc.households, got, tc.needed)
			}
			// The same through Candidates: eligible exactly when met.
			f := Facts{Hamlets: []Hamlet{{ID: "a", Households: tc.households}}, Households: guided("a", tc.done, may(1), 2)}
			a := Candidates(f, p, may(2))
			if got := len(a.Special) == 1; got != tc.met {
				t.Errorf("selected %v, want %v: %+v", got, tc.met, a.NotSelected.Special)
			}
		})
	}
}

// TestFewerSpecialPrizes checks that fewer eligible hamlets than prizes
// means fewer prizes, said plainly.
func TestFewerSpecialPrizes(t *testing.T) {
	f := Facts{Hamlets: []Hamlet{{ID: "a", Households: 10}, {ID: "b", Households: 10}, {ID: "c", Households: 10}}}
	f.Households = cat(guided("a", 10, may(1), 2), guided("b", 9, may(1), 2), guided("c", 5, may(1), 2))
	p := DefaultParams()
	a := Candidates(f, p, may(2))
	if len(a.Special) != 1 || a.Special[0].Stats.Hamlet.ID != "a" {
		t.Fatalf("special = %+v", hamletLines(a.Special))
	}
	if got, want := a.SpecialNote(p), "Chỉ có 01 ấp đủ điều kiện (95,0% số hộ của ấp được hướng dẫn đủ số thủ tục) nên chỉ đề nghị 01/03 phần quà khen thưởng riêng."; got != want {
		t.Errorf("note %q, want %q", got, want)
	}
	f.Households = guided("c", 5, may(1), 2)
	a = Candidates(f, p, may(2))
	if got, want := a.SpecialNote(p), "Chưa có ấp nào đủ điều kiện nhận phần quà khen thưởng riêng (95,0% số hộ của ấp được hướng dẫn đủ số thủ tục): chưa đề nghị phần quà nào trong 03 phần quà."; got != want {
		t.Errorf("note %q, want %q", got, want)
	}
	for _, c := range a.NotSelected.Special {
		if strings.Contains(c.Reason(), "giải đặc biệt") {
			t.Errorf("the plan's name is «phần quà khen thưởng riêng»: %q", c.Reason())
		}
	}
}

// TestMoreAbleThanTheRegister checks that coverage stops at the register,
// the hamlet is flagged, and the excess never raises its rank.
func TestMoreAbleThanTheRegister(t *testing.T) {
	f := Facts{Hamlets: []Hamlet{{ID: "over", Name: "Bãi Nhà", Households: 100}, {ID: "full", Name: "Hòn Tre", Households: 100}}}
	// "over" reports 130 able households (30 beyond its register), "full"
	// exactly 100; both reach the threshold the same day.
	f.Households = cat(guided("over", 120, may(1), 2), guided("full", 100, may(1), 2))
	for range 10 {
		f.Households = append(f.Households, Household{HamletID: "over", SelfAbleFrom: may(1)})
	}
	f.HamletDays = cat(metDays("over", may(1), may(2)), metDays("full", may(1), may(2)))
	p := DefaultParams()
	hs := Hamlets(f, p, p.Campaign(), may(2))
	over, full := hs[0], hs[1]
	if over.Able != 130 || over.Excess != 30 || over.AbleInRegister() != 100 || over.Coverage != 1 || !over.OverRegister() {
		t.Errorf("over: able %d excess %d in register %d coverage %v", over.Able, over.Excess, over.AbleInRegister(), over.Coverage)
	}
	if over.SpecialInRegister() != 100 || over.SpecialProgress != 1 {
		t.Errorf("over: special %d progress %v", over.SpecialInRegister(), over.SpecialProgress)
	}
	if full.OverRegister() || full.RegisterWarning() != "" {
		t.Errorf("full flagged: %q", full.RegisterWarning())
	}
	want := "Số hộ biết làm của ấp Bãi Nhà (130) vượt số hộ trong sổ (100) 30 hộ: số liệu chỉ tính tối đa bằng số hộ trong sổ; quản trị viên hãy kiểm tra và sửa số hộ bằng lệnh /sosho."
	if got := over.RegisterWarning(); got != want {
		t.Errorf("warning %q, want %q", got, want)
	}
	if tot := Sum(hs); tot.Able != 200 || tot.Coverage != 1 || tot.OverRegister != 1 {
		t.Errorf("totals: able %d coverage %v over %d", tot.Able, tot.Coverage, tot.OverRegister)
	}
	// Equal on every figure but the excess: the id decides ("full" < "over"),
	// in every list; the leaderboard gives them the same rank.
	a := Candidates(f, p, may(2))
	if a.Collectives[0].Stats.Hamlet.ID != "full" || a.Special[0].Stats.Hamlet.ID != "full" {
		t.Errorf("the excess outranked: collectives %v special %v", hamletLines(a.Collectives), hamletLines(a.Special))
	}
	if !strings.Contains(a.Collectives[1].Reason(), "vượt số hộ trong sổ 30 hộ") {
		t.Errorf("over not flagged in the list: %q", a.Collectives[1].Reason())
	}
	lb := Leaderboard(f, p, may(2))
	if lb[0].Rank != lb[1].Rank {
		t.Errorf("leaderboard ranks %d and %d, want equal", lb[0].Rank, lb[1].Rank)
	}
	// No register at all: the warning asks for one.
	f.Hamlets[1].Households = 0
	if w := Hamlets(f, p, p.Campaign(), may(2))[1].RegisterWarning(); !strings.Contains(w, "chưa khai báo số hộ") {
		t.Errorf("no register: %q", w)
	}
}

func TestFailedTextManyDays(t *testing.T) {
	cs := []Check{{Date: may(9)}, {Date: may(2)}, {Date: may(2)}, {Date: may(4)}, {Date: may(7)}, {Date: may(1)}}
	if got := failedText(cs); got != "kiểm tra ngẫu nhiên không đạt ngày 01/05/2026, 02/05/2026, 04/05/2026 và 2 ngày khác" {
		t.Errorf("got %q", got)
	}
	if got := failedText([]Check{{}}); got != "kiểm tra ngẫu nhiên không đạt" {
		t.Errorf("undated: %q", got)
	}
}

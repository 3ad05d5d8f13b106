package misatest

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/facolos/etl/internal/vnfake"
)

// fieldKind is the type of an API field.
type fieldKind int

const (
	fStr fieldKind = iota + 1
	fInt
	fDec
	fBool
	fTime
	fUUID
)

// field is one API field of an entity: name, type, and the size of its
// warehouse column (string length, or decimal precision and scale).
type field struct {
	name       string
	kind       fieldKind
	size, scal int
}

// Record is one API object as the simulator serves it: field name to value.
// Values are string, int64, Money, bool, Date, UUID, nil (JSON null) or, for
// sale_order_product_mappings, []Record. An absent field is not sent.
type Record map[string]any

// Money is an exact decimal sent as a JSON number ("1250000", "12.5").
type Money string

// MarshalJSON writes the number as is.
func (m Money) MarshalJSON() ([]byte, error) { return []byte(m), nil }

// Text is a decimal sent as a JSON string, the way some MISA fields come
// ("8%", "1,200,000"); the hostile mode uses it.
type Text string

// Date is an instant sent as ISO-8601 with milliseconds in +07:00
// ("2025-07-16T00:00:00.000+07:00"), as MISA does.
type Date time.Time

// MarshalJSON writes the +07:00 form.
func (d Date) MarshalJSON() ([]byte, error) {
	return []byte(`"` + time.Time(d).In(vietnam).Format("2006-01-02T15:04:05.000-07:00") + `"`), nil
}

// UUID is a UNIQUEIDENTIFIER value, sent in upper case as MISA's .NET
// services do.
type UUID string

// MarshalJSON writes the UUID as a string.
func (u UUID) MarshalJSON() ([]byte, error) { return json.Marshal(string(u)) }

var vietnam = time.FixedZone("ICT", 7*3600)

// Picklists in Vietnamese, as MISA displays them.
var (
	orderStatuses    = []string{"Chưa thực hiện", "Đang thực hiện", "Đã thực hiện", "Đã hủy bỏ"}
	deliveryStatuses = []string{"Chưa giao hàng", "Đang giao hàng", "Đã giao đủ hàng"}
	payStatuses      = []string{"Chưa thanh toán", "Thanh toán một phần", "Đã thanh toán"}
	revenueStatuses  = []string{"Chưa ghi doanh số", "Đã ghi doanh số"}
	approvedStatuses = []string{"Chưa duyệt", "Đã duyệt"}
	accountTypes     = []string{"Khách hàng", "Đối tác", "Nhà phân phối", "Đại lý"}
	industries       = []string{"Bán lẻ", "Thương mại điện tử", "Sản xuất", "Dịch vụ ăn uống", "Mỹ phẩm"}
	leadSources      = []string{"Website", "Facebook", "Zalo", "Giới thiệu", "Hội chợ", "Shopee", "TikTok Shop"}
	ratings          = []string{"Tiềm năng", "Thân thiết", "VIP", "Thường"}
	units            = []string{"Cái", "Hộp", "Chai", "Gói", "Kg", "Thùng", "Bộ"}
	categories       = []string{"Thời trang", "Mỹ phẩm", "Gia dụng", "Thực phẩm", "Điện tử", "Đồ uống"}
	taxRates         = []string{"0%", "5%", "8%", "10%"}
	genders          = []string{"Nam", "Nữ"}
	companyKinds     = []string{"Công ty TNHH", "Công ty Cổ phần", "Hộ kinh doanh", "Cửa hàng"}
	companyWords     = []string{"Thương mại", "Dịch vụ", "Xuất nhập khẩu", "Phát triển", "Sao Việt", "Hồng Phát", "Minh Long", "An Khang", "Phú Quý", "Tân Tiến"}
	titles           = []string{"Giám đốc", "Trưởng phòng mua hàng", "Kế toán trưởng", "Nhân viên kinh doanh", "Chủ cửa hàng"}
	departments      = []string{"Kinh doanh", "Mua hàng", "Kế toán", "Ban giám đốc"}
	notes            = []string{"Khách quen, ưu tiên giao sớm", "Giao hàng giờ hành chính", "Xuất hóa đơn VAT", "Liên hệ qua Zalo trước khi giao", "Chiết khấu theo hợp đồng năm"}
	customFieldVals  = []string{"Miền Bắc", "Miền Trung", "Miền Nam", "Kênh online", "Kênh đại lý"}
)

func pick(r *rand.Rand, xs []string) string { return xs[r.IntN(len(xs))] }

func company(r *rand.Rand) string {
	p := vnfake.NewPerson(r)
	return pick(r, companyKinds) + " " + pick(r, companyWords) + " " + strings.Fields(p.Name)[2]
}

// fit cuts s to n characters (n = 0: no limit).
func fit(s string, n int) string {
	if n <= 0 {
		return s
	}
	rs := []rune(s)
	if len(rs) > n {
		return string(rs[:n])
	}
	return s
}

func uuid(r *rand.Rand) UUID {
	b := make([]byte, 16)
	for i := range b {
		b[i] = byte(r.IntN(256))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return UUID(strings.ToUpper(fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])))
}

// money returns a decimal that fits DECIMAL(p, s): VND amounts for money
// columns, small quantities and ratios otherwise.
func money(r *rand.Rand, name string, p, s int) Money {
	intDigits := p - s
	switch {
	case s == 7: // coordinates are set by the caller
		return Money(fmt.Sprintf("%d.%07d", r.IntN(100), r.IntN(10_000_000)))
	case p == 5: // percentages
		return Money(fmt.Sprintf("%d", r.IntN(30)))
	case s == 4: // ratios, exchange rates
		return Money(fmt.Sprintf("%d.%04d", 1+r.IntN(3), r.IntN(10000)))
	case intDigits >= 13: // VND amounts
		return Money(fmt.Sprintf("%d000", 1+r.IntN(5_000_000)))
	}
	if r.IntN(4) == 0 {
		return Money(fmt.Sprintf("%d.5", r.IntN(500)))
	}
	return Money(fmt.Sprintf("%d", r.IntN(1000)))
}

// gen fills rec with a value for every field of fs (some left null or
// absent), using the field names for realistic values.
func gen(r *rand.Rand, rec Record, fs []field, start, end time.Time, ctx *genCtx) {
	for _, f := range fs {
		if _, set := rec[f.name]; set {
			continue
		}
		switch x := r.IntN(20); {
		case x == 0:
			continue // absent
		case x == 1:
			rec[f.name] = nil
			continue
		}
		rec[f.name] = value(r, f, start, end, ctx)
	}
}

// genCtx holds the coherent parts of one record (one person, one address).
type genCtx struct {
	person  vnfake.Person
	addr    vnfake.Address
	company string
}

func newCtx(r *rand.Rand) *genCtx {
	return &genCtx{person: vnfake.NewPerson(r), addr: vnfake.NewAddress(r), company: company(r)}
}

func value(r *rand.Rand, f field, start, end time.Time, c *genCtx) any {
	n := f.name
	switch f.kind {
	case fInt:
		return int64(r.IntN(100))
	case fBool:
		return r.IntN(3) == 0
	case fUUID:
		return uuid(r)
	case fTime:
		return Date(randTime(r, start, end))
	case fDec:
		switch {
		case strings.HasSuffix(n, "_lat"):
			return Money(fmt.Sprintf("%.7f", c.addr.Lat))
		case strings.HasSuffix(n, "_long"):
			return Money(fmt.Sprintf("%.7f", c.addr.Lng))
		}
		return money(r, n, f.size, f.scal)
	}
	var s string
	switch {
	case strings.HasSuffix(n, "_province"):
		s = c.addr.Province
	case strings.HasSuffix(n, "_district"):
		s = c.addr.District
	case strings.HasSuffix(n, "_ward"):
		s = c.addr.Ward
	case strings.HasSuffix(n, "_street"):
		s = c.addr.Street
	case strings.HasSuffix(n, "_address"):
		s = c.addr.Full
	case strings.HasSuffix(n, "_country"):
		s = "Việt Nam"
	case strings.HasSuffix(n, "_code") && strings.HasPrefix(n, "billing") || strings.HasSuffix(n, "_zip") || n == "shipping_code":
		s = fmt.Sprintf("%d0000", 10+r.IntN(80))
	case n == "account_name" || n == "parent_account_name" || n == "billing_account" || n == "parent_name":
		s = c.company
	case strings.HasSuffix(n, "_name") && (strings.Contains(n, "owner") || strings.Contains(n, "users") || strings.Contains(n, "contact")) ||
		n == "created_by" || n == "modified_by" || n == "approver" || n == "contact_name" || n == "billing_contact":
		s = c.person.Name
	case n == "first_name":
		s = strings.Fields(c.person.Name)[2]
	case n == "last_name":
		s = strings.Join(strings.Fields(c.person.Name)[:2], " ")
	case strings.Contains(n, "tel") || strings.Contains(n, "phone") || n == "mobile" || n == "zalo" || n == "fax":
		s = "0" + c.person.Phone[2:]
	case strings.Contains(n, "email"):
		s = strings.ToLower(c.person.Username) + "@example.vn"
	case n == "status":
		s = pick(r, orderStatuses)
	case n == "delivery_status":
		s = pick(r, deliveryStatuses)
	case n == "pay_status":
		s = pick(r, payStatuses)
	case n == "revenue_status":
		s = pick(r, revenueStatuses)
	case n == "approved_status":
		s = pick(r, approvedStatuses)
	case n == "account_type":
		s = pick(r, accountTypes)
	case n == "industry" || n == "business_type" || n == "sector_name":
		s = pick(r, industries)
	case n == "lead_source" || n == "source":
		s = pick(r, leadSources)
	case n == "rating":
		s = pick(r, ratings)
	case n == "gender":
		s = pick(r, genders)
	case n == "unit" || n == "usage_unit":
		s = pick(r, units)
	case strings.Contains(n, "categor"):
		s = pick(r, categories)
	case n == "tax_percent" || n == "tax":
		s = pick(r, taxRates)
	case n == "currency_type":
		s = "VND"
	case n == "title":
		s = pick(r, titles)
	case n == "department":
		s = pick(r, departments)
	case n == "salutation":
		s = pick(r, []string{"Anh", "Chị", "Ông", "Bà"})
	case strings.HasSuffix(n, "_code") || strings.HasSuffix(n, "_number") || strings.HasSuffix(n, "_no") || n == "identification":
		s = fmt.Sprintf("%s%06d", strings.ToUpper(n[:2]), r.IntN(1_000_000))
	case strings.HasPrefix(n, "custom_field"):
		s = pick(r, customFieldVals)
	case n == "website":
		s = "https://" + strings.ToLower(c.person.Username) + ".vn"
	case strings.Contains(n, "description") || n == "tag" || n == "promotion" || n == "related_users":
		s = pick(r, notes)
	case n == "stock_name" || n == "default_stock":
		s = "Kho " + c.addr.Province
	default:
		s = pick(r, notes)
	}
	return fit(s, f.size)
}

func randTime(r *rand.Rand, start, end time.Time) time.Time {
	span := end.Sub(start)
	if span <= 0 {
		return end.Truncate(time.Millisecond)
	}
	return start.Add(time.Duration(r.Int64N(int64(span)))).Truncate(time.Millisecond)
}

// recRand is the random source of record i of an entity.
func recRand(seed int64, entity string, i int, salt uint64) *rand.Rand {
	h := uint64(0xcbf29ce484222325)
	for _, c := range entity {
		h = (h ^ uint64(c)) * 0x100000001b3
	}
	return rand.New(rand.NewPCG(uint64(seed)^h, uint64(i)<<20^salt))
}

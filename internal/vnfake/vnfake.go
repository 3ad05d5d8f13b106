// Package vnfake generates deterministic, realistic Vietnamese commerce data
// (people, addresses, products, prices in VND) for the platform simulators.
// Every function takes the random source, so data is a pure function of the
// caller's seed.
package vnfake

import (
	"fmt"
	"math/rand/v2"
)

var (
	familyNames = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"}
	middleNames = []string{"Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Thu", "Gia", "Bảo", "Xuân"}
	givenNames  = []string{"An", "Anh", "Bình", "Châu", "Cường", "Dũng", "Duyên", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng", "Hương", "Khánh", "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Ngân", "Nhung", "Phúc", "Phương", "Quân", "Quỳnh", "Sơn", "Tâm", "Thảo", "Thắng", "Trang", "Trí", "Tuấn", "Tuyết", "Uyên", "Việt", "Vy", "Yến"}

	// Provinces with a few of their districts and wards.
	provinces = []struct {
		Name      string
		Districts []string
		Wards     []string
		Lat, Lng  float64
	}{
		{"Hà Nội", []string{"Quận Ba Đình", "Quận Hoàn Kiếm", "Quận Cầu Giấy", "Quận Đống Đa", "Quận Hai Bà Trưng", "Huyện Gia Lâm"}, []string{"Phường Điện Biên", "Phường Hàng Bạc", "Phường Dịch Vọng", "Phường Láng Hạ", "Xã Bát Tràng"}, 21.0285, 105.8542},
		{"TP. Hồ Chí Minh", []string{"Quận 1", "Quận 3", "Quận 7", "Quận Bình Thạnh", "Quận Gò Vấp", "TP. Thủ Đức"}, []string{"Phường Bến Nghé", "Phường Võ Thị Sáu", "Phường Tân Phong", "Phường 25", "Phường Thảo Điền"}, 10.7769, 106.7009},
		{"Đà Nẵng", []string{"Quận Hải Châu", "Quận Sơn Trà", "Quận Ngũ Hành Sơn", "Quận Liên Chiểu"}, []string{"Phường Thạch Thang", "Phường An Hải Bắc", "Phường Mỹ An", "Phường Hòa Khánh Bắc"}, 16.0544, 108.2022},
		{"Hải Phòng", []string{"Quận Lê Chân", "Quận Ngô Quyền", "Quận Hồng Bàng"}, []string{"Phường An Biên", "Phường Máy Tơ", "Phường Hoàng Văn Thụ"}, 20.8449, 106.6881},
		{"Cần Thơ", []string{"Quận Ninh Kiều", "Quận Cái Răng", "Quận Bình Thủy"}, []string{"Phường Tân An", "Phường Hưng Phú", "Phường An Thới"}, 10.0452, 105.7469},
		{"Thừa Thiên Huế", []string{"TP. Huế", "Thị xã Hương Thủy"}, []string{"Phường Phú Hội", "Phường Vĩnh Ninh"}, 16.4637, 107.5909},
		{"Khánh Hòa", []string{"TP. Nha Trang", "TP. Cam Ranh"}, []string{"Phường Lộc Thọ", "Phường Vĩnh Hải"}, 12.2388, 109.1967},
		{"Bình Dương", []string{"TP. Thủ Dầu Một", "TP. Dĩ An", "TP. Thuận An"}, []string{"Phường Phú Cường", "Phường Dĩ An", "Phường Lái Thiêu"}, 10.9804, 106.6519},
		{"Đồng Nai", []string{"TP. Biên Hòa", "Huyện Trảng Bom"}, []string{"Phường Tân Phong", "Thị trấn Trảng Bom"}, 10.9574, 106.8426},
		{"Nghệ An", []string{"TP. Vinh", "Thị xã Cửa Lò"}, []string{"Phường Hưng Bình", "Phường Nghi Hương"}, 18.6796, 105.6813},
		{"Quảng Ninh", []string{"TP. Hạ Long", "TP. Cẩm Phả"}, []string{"Phường Bãi Cháy", "Phường Cẩm Trung"}, 20.9712, 107.0448},
		{"Lâm Đồng", []string{"TP. Đà Lạt", "TP. Bảo Lộc"}, []string{"Phường 1", "Phường Lộc Sơn"}, 11.9404, 108.4583},
	}
	streets = []string{"Lê Lợi", "Nguyễn Huệ", "Trần Hưng Đạo", "Hai Bà Trưng", "Lý Thường Kiệt", "Điện Biên Phủ", "Phan Đình Phùng", "Nguyễn Trãi", "Cách Mạng Tháng Tám", "Võ Văn Kiệt", "Hùng Vương", "Quang Trung"}

	productKinds = []struct {
		Name     string
		Variants []string
		Price    int64 // base price in VND
		Weight   float64
	}{
		{"Áo thun nam cổ tròn cotton", []string{"Đen, M", "Đen, L", "Trắng, M", "Xanh navy, XL"}, 129000, 0.25},
		{"Váy hoa nhí dáng xòe", []string{"Hồng, S", "Vàng, M", "Xanh, L"}, 259000, 0.3},
		{"Son kem lì chính hãng", []string{"Đỏ gạch", "Cam đất", "Hồng đất"}, 189000, 0.05},
		{"Nồi chiên không dầu 5L", []string{"Đen", "Trắng"}, 1290000, 4.5},
		{"Tai nghe Bluetooth chống ồn", []string{"Đen", "Trắng", "Xanh mint"}, 459000, 0.2},
		{"Cà phê rang xay Buôn Ma Thuột 500g", []string{"Robusta", "Arabica", "Culi"}, 145000, 0.5},
		{"Nước mắm Phú Quốc 40 độ đạm", []string{"Chai 500ml", "Thùng 6 chai"}, 89000, 0.7},
		{"Bánh tráng trộn Tây Ninh", []string{"Vị tắc", "Vị sa tế"}, 35000, 0.2},
		{"Dép quai ngang unisex", []string{"Size 38", "Size 40", "Size 42"}, 99000, 0.35},
		{"Balo laptop chống nước 15.6 inch", []string{"Xám", "Đen"}, 349000, 0.8},
		{"Kem chống nắng SPF50+", []string{"50ml", "100ml"}, 275000, 0.1},
		{"Bộ chăn ga gối cotton lụa", []string{"1m6 x 2m", "1m8 x 2m"}, 690000, 2.1},
	}
	messages = []string{"", "", "", "Giao giờ hành chính giúp em ạ", "Gọi trước khi giao nhé shop 📞", "Đóng gói cẩn thận giúp mình, cảm ơn shop ❤️", "Cho mình xin thêm túi nhé", "Hàng dễ vỡ, nhẹ tay giúp em 🙏", "Giao sau 18h"}
)

// Person is a buyer.
type Person struct {
	Name     string
	Username string
	Phone    string
}

// NewPerson returns a random person with a Vietnamese name.
func NewPerson(r *rand.Rand) Person {
	f, m, g := pick(r, familyNames), pick(r, middleNames), pick(r, givenNames)
	return Person{
		Name:     f + " " + m + " " + g,
		Username: fmt.Sprintf("%s%s%d", ascii(g), ascii(f), r.IntN(9999)),
		Phone:    fmt.Sprintf("84%d%08d", []int{3, 5, 7, 8, 9}[r.IntN(5)], r.IntN(100000000)),
	}
}

// Address is a Vietnamese postal address.
type Address struct {
	Street, Ward, District, Province string
	Full                             string
	Lat, Lng                         float64
}

// NewAddress returns a random address in a real province.
func NewAddress(r *rand.Rand) Address {
	p := provinces[r.IntN(len(provinces))]
	a := Address{
		Street:   fmt.Sprintf("Số %d %s", 1+r.IntN(300), pick(r, streets)),
		Ward:     pick(r, p.Wards),
		District: pick(r, p.Districts),
		Province: p.Name,
		Lat:      p.Lat + (r.Float64()-0.5)/20,
		Lng:      p.Lng + (r.Float64()-0.5)/20,
	}
	a.Full = a.Street + ", " + a.Ward + ", " + a.District + ", " + a.Province
	return a
}

// Product is one sellable variant.
type Product struct {
	ItemID    int64
	ModelID   int64
	Name      string
	ModelName string
	SKU       string
	ModelSKU  string
	Price     int64 // VND
	Weight    float64
}

// NewProduct returns a product variant of a small catalogue; the same (kind,
// variant) always has the same ids.
func NewProduct(r *rand.Rand) Product {
	k := r.IntN(len(productKinds))
	pk := productKinds[k]
	v := r.IntN(len(pk.Variants))
	return Product{
		ItemID:    int64(2_000_000_000 + k*7919),
		ModelID:   int64(10_000_000_000 + k*1000 + v),
		Name:      pk.Name,
		ModelName: pk.Variants[v],
		SKU:       fmt.Sprintf("SP%03d", k),
		ModelSKU:  fmt.Sprintf("SP%03d-%02d", k, v),
		Price:     pk.Price,
		Weight:    pk.Weight,
	}
}

// Message returns a buyer's note, often empty, sometimes with emoji.
func Message(r *rand.Rand) string { return pick(r, messages) }

func pick(r *rand.Rand, xs []string) string { return xs[r.IntN(len(xs))] }

var asciiMap = map[rune]string{'đ': "d", 'Đ': "D"}

// ascii strips Vietnamese diacritics (enough for user names).
func ascii(s string) string {
	out := make([]rune, 0, len(s))
	for _, c := range s {
		if m, ok := asciiMap[c]; ok {
			out = append(out, []rune(m)...)
			continue
		}
		if c < 128 {
			out = append(out, c)
			continue
		}
		out = append(out, base(c))
	}
	return string(out)
}

func base(c rune) rune {
	groups := []struct {
		to  rune
		set string
	}{
		{'a', "àáảãạăằắẳẵặâầấẩẫậ"}, {'e', "èéẻẽẹêềếểễệ"}, {'i', "ìíỉĩị"}, {'o', "òóỏõọôồốổỗộơờớởỡợ"},
		{'u', "ùúủũụưừứửữự"}, {'y', "ỳýỷỹỵ"}, {'A', "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬ"}, {'E', "ÈÉẺẼẸÊỀẾỂỄỆ"}, {'I', "ÌÍỈĨỊ"},
		{'O', "ÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢ"}, {'U', "ÙÚỦŨỤƯỪỨỬỮỰ"}, {'Y', "ỲÝỶỸỴ"},
	}
	for _, g := range groups {
		for _, x := range g.set {
			if x == c {
				return g.to
			}
		}
	}
	return 'x'
}

package awsxml

import (
	"strings"
	"sync/atomic"

	"github.com/aioaws/aioaws/models"
)

// structPlan is a structure shape compiled once for XML and form encoding: each member's
// element (or attribute) name, namespace and query keys, and the member for each element
// name met while parsing.
type structPlan struct {
	members []memberPlan           // model order
	byElem  map[string]*memberPlan // element local name → body member
	attrs   []*memberPlan          // XML attribute members
	// size is how many members the last structure read with this plan had: the size hint
	// for the next one's map.
	size atomic.Int32
}

type memberPlan struct {
	m *models.Member
	// elem is the member's element name: its locationName, else its name. For an attribute
	// member, attrSpace and attrLocal split a prefixed name such as "xsi:type".
	elem                 string
	attrSpace, attrLocal string
	ns                   *models.XMLNamespace // namespace declared on the member's element
	flatList, flatMap    bool
	// queryKey is the member's key in query form bodies (flattened lists and maps included);
	// ec2Key in ec2 ones.
	queryKey, ec2Key string
}

// member returns the plan of m, scanning from *i (members arrive in model order, so the scan
// is short) and leaving *i at it.
func (p *structPlan) member(m *models.Member, i *int) *memberPlan {
	for range len(p.members) {
		if *i >= len(p.members) {
			*i = 0
		}
		if p.members[*i].m == m {
			return &p.members[*i]
		}
		*i++
	}
	panic("awsxml: member " + m.Name + " not in its structure's plan")
}

func (c *Codec) plan(s *models.Shape) *structPlan {
	if p, ok := c.plans.Load(s); ok {
		return p.(*structPlan)
	}
	p := &structPlan{members: make([]memberPlan, len(s.Members)), byElem: make(map[string]*memberPlan, len(s.Members))}
	for i, m := range s.Members {
		mp := &p.members[i]
		mp.m = m
		mp.elem = m.WireName()
		mp.ns = m.XMLNamespace
		if mp.ns == nil {
			mp.ns = m.Shape.XMLNamespace
		}
		mp.flatList = m.Shape.Type == models.List && m.IsFlattened()
		mp.flatMap = m.Shape.Type == models.Map && m.IsFlattened()
		mp.queryKey = queryKey(m)
		mp.ec2Key = ec2Key(m)
		switch m.Location {
		case models.Header, models.Headers, models.StatusCode:
			continue // never in a body; URI and query members are parsed from bodies if present
		}
		if m.XMLAttribute {
			mp.attrSpace, mp.attrLocal, _ = strings.Cut(mp.elem, ":")
			if mp.attrLocal == "" {
				mp.attrSpace, mp.attrLocal = "", mp.elem
			}
			p.attrs = append(p.attrs, mp)
			continue
		}
		p.byElem[mp.elem] = mp
	}
	// botocore names the items of a flattened list after the list member's locationName:
	// accept that name too where it is free.
	for i := range p.members {
		mp := &p.members[i]
		if mp.flatList && !mp.m.XMLAttribute && mp.m.Location == models.Body {
			if alt := mp.m.Shape.Member.LocationName; alt != "" {
				if _, taken := p.byElem[alt]; !taken {
					p.byElem[alt] = mp
				}
			}
		}
	}
	actual, _ := c.plans.LoadOrStore(s, p)
	return actual.(*structPlan)
}

// enum returns the values of an enum string shape, each boxed once, so that reading one
// costs no allocation.
func (c *Codec) enum(s *models.Shape) map[string]any {
	if e, ok := c.enums.Load(s); ok {
		return e.(map[string]any)
	}
	e := make(map[string]any, len(s.Enum))
	for _, v := range s.Enum {
		e[v] = v
	}
	actual, _ := c.enums.LoadOrStore(s, e)
	return actual.(map[string]any)
}

// queryKey is a member's key in the query protocol: its locationName, else its name. A
// flattened list without a locationName of its own takes its list member's locationName, as
// botocore does (e.g. SimpleDB's "Attribute.1.Name").
func queryKey(m *models.Member) string {
	if m.LocationName != "" {
		return m.LocationName
	}
	if m.Shape.Type == models.List && m.IsFlattened() && m.Shape.Member.LocationName != "" {
		return m.Shape.Member.LocationName
	}
	return m.Name
}

// ec2Key is a member's key in the ec2 protocol: queryName, else locationName with its first
// letter upper-cased, else the member name with its first letter upper-cased.
func ec2Key(m *models.Member) string {
	if m.QueryName != "" {
		return m.QueryName
	}
	return upperFirst(m.WireName())
}

func upperFirst(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// itemName is the element name of a wrapped list's items.
func itemName(list *models.Shape) string {
	if n := list.Member.LocationName; n != "" {
		return n
	}
	return "member"
}

func keyName(mapShape *models.Shape) string {
	if n := mapShape.Key.LocationName; n != "" {
		return n
	}
	return "key"
}

func valueName(mapShape *models.Shape) string {
	if n := mapShape.Value.LocationName; n != "" {
		return n
	}
	return "value"
}

// memberNS is the namespace declared on the element of a list item, map key or value.
func memberNS(m *models.Member) *models.XMLNamespace {
	if m.XMLNamespace != nil {
		return m.XMLNamespace
	}
	return m.Shape.XMLNamespace
}

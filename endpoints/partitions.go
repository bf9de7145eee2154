package endpoints

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sync"

	"github.com/aioaws/aioaws/models"
)

// Partition is the description of an AWS partition that aws.partition returns for a region.
type Partition struct {
	ID                   string // e.g. "aws", "aws-cn"
	Name                 string // the partition's name output, usually ID
	DNSSuffix            string // e.g. "amazonaws.com"
	DualStackDNSSuffix   string // e.g. "api.aws"
	ImplicitGlobalRegion string // the region global endpoints sign for, e.g. "us-east-1"
	SupportsFIPS         bool
	SupportsDualStack    bool
}

// Partitions is a parsed partitions.json: the partitions, their region patterns and explicit
// regions. It is immutable and safe for concurrent use; its zero value is not usable: get one
// from ParsePartitions or DefaultPartitions.
type Partitions struct {
	list     []*partition
	byRegion map[string]*partition // explicit regions, with their overrides merged
	def      *partition            // used when no partition claims a region
}

type partition struct {
	info  Partition
	re    *regexp.Regexp
	value value // the record aws.partition returns
}

// partitionsJSON is the document shape of partitions.json.
type partitionsJSON struct {
	Partitions []struct {
		ID          string                    `json:"id"`
		RegionRegex string                    `json:"regionRegex"`
		Regions     map[string]map[string]any `json:"regions"`
		Outputs     map[string]any            `json:"outputs"`
	} `json:"partitions"`
}

// ParsePartitions parses a partitions.json document (the partitions, each with an id, a
// regionRegex, explicit regions and outputs). Region entries may override outputs.
func ParsePartitions(data []byte) (*Partitions, error) {
	var doc partitionsJSON
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("endpoints: partitions: %w", err)
	}
	if len(doc.Partitions) == 0 {
		return nil, errors.New("endpoints: partitions: no partitions")
	}
	ps := &Partitions{byRegion: map[string]*partition{}}
	for i, pj := range doc.Partitions {
		where := fmt.Sprintf("endpoints: partitions[%d]", i)
		if pj.ID == "" {
			return nil, fmt.Errorf("%s: no id", where)
		}
		re, err := regexp.Compile(pj.RegionRegex)
		if err != nil {
			return nil, fmt.Errorf("%s (%s): regionRegex: %w", where, pj.ID, err)
		}
		p, err := newPartition(pj.ID, re, pj.Outputs, nil)
		if err != nil {
			return nil, fmt.Errorf("%s (%s): outputs: %w", where, pj.ID, err)
		}
		ps.list = append(ps.list, p)
		if ps.def == nil || pj.ID == "aws" && ps.def.info.ID != "aws" {
			ps.def = p
		}
		for region, entry := range pj.Regions {
			if _, dup := ps.byRegion[region]; dup {
				continue // the first partition listing a region wins
			}
			rp := p
			if hasOverrides(entry) {
				if rp, err = newPartition(pj.ID, re, pj.Outputs, entry); err != nil {
					return nil, fmt.Errorf("%s (%s): region %s: %w", where, pj.ID, region, err)
				}
			}
			ps.byRegion[region] = rp
		}
	}
	return ps, nil
}

func hasOverrides(entry map[string]any) bool {
	for k := range entry {
		if k != "description" {
			return true
		}
	}
	return false
}

func newPartition(id string, re *regexp.Regexp, outputs, overrides map[string]any) (*partition, error) {
	fields := make(map[string]value, len(outputs)+len(overrides))
	for i, src := range []map[string]any{outputs, overrides} {
		for k, x := range src {
			if i == 1 && k == "description" {
				continue
			}
			v, err := fromJSON(x)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			fields[k] = v
		}
	}
	if _, ok := fields["name"]; !ok {
		fields["name"] = strValue(id)
	}
	p := &partition{re: re, value: value{k: kRecord, rec: &record{fields: fields}}}
	p.info = Partition{
		ID:                   id,
		Name:                 fields["name"].s,
		DNSSuffix:            fields["dnsSuffix"].s,
		DualStackDNSSuffix:   fields["dualStackDnsSuffix"].s,
		ImplicitGlobalRegion: fields["implicitGlobalRegion"].s,
		SupportsFIPS:         fields["supportsFIPS"].b,
		SupportsDualStack:    fields["supportsDualStack"].b,
	}
	return p, nil
}

// find returns the partition of a region: the partition that lists it explicitly, else the
// first whose regionRegex matches, else the default ("aws").
func (ps *Partitions) find(region string) *partition {
	if p, ok := ps.byRegion[region]; ok {
		return p
	}
	for _, p := range ps.list {
		if p.re.MatchString(region) {
			return p
		}
	}
	return ps.def
}

// Lookup returns the partition of region, as the aws.partition function sees it.
func (ps *Partitions) Lookup(region string) Partition { return ps.find(region).info }

var defaultPartitions = sync.OnceValues(func() (*Partitions, error) {
	data, err := models.Default().Partitions()
	if err != nil {
		return nil, fmt.Errorf("endpoints: %w", err)
	}
	return ParsePartitions(data)
})

// DefaultPartitions returns the partitions of the default model loader (models.Default),
// parsed once.
func DefaultPartitions() (*Partitions, error) { return defaultPartitions() }

package endpoints

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"sync"

	"github.com/aioaws/aioaws/models"
)

// legacyEndpoints is the part of botocore's endpoints.json that AvailableRegions reads.
type legacyEndpoints struct {
	Partitions []struct {
		Partition   string `json:"partition"`
		RegionRegex string `json:"regionRegex"`
		Services    map[string]struct {
			Endpoints map[string]struct {
				Deprecated bool `json:"deprecated"`
			} `json:"endpoints"`
		} `json:"services"`
	} `json:"partitions"`
}

var loadLegacy = sync.OnceValues(func() (*legacyEndpoints, error) {
	data, err := models.Default().EndpointsData()
	if err != nil {
		return nil, err
	}
	var l legacyEndpoints
	if err := json.Unmarshal(data, &l); err != nil {
		return nil, fmt.Errorf("endpoints: endpoints.json: %w", err)
	}
	return &l, nil
})

// AvailableRegions lists, sorted, the regions of a partition ("aws", "aws-cn", "aws-us-gov",
// ...; "" means "aws") in which svc is offered, as botocore's get_available_regions does:
// regional endpoints only (no FIPS or global pseudo-regions), deprecated ones left out. An
// unknown partition is an error; a service the data does not list has no regions.
func AvailableRegions(svc *models.Service, partition string) ([]string, error) {
	if partition == "" {
		partition = "aws"
	}
	l, err := loadLegacy()
	if err != nil {
		return nil, err
	}
	for _, p := range l.Partitions {
		if p.Partition != partition {
			continue
		}
		re, err := regexp.Compile(p.RegionRegex)
		if err != nil {
			return nil, fmt.Errorf("endpoints: partition %s: bad regionRegex: %w", partition, err)
		}
		var regions []string
		for region, ep := range p.Services[svc.Metadata.EndpointPrefix].Endpoints {
			if re.MatchString(region) && !ep.Deprecated {
				regions = append(regions, region)
			}
		}
		sort.Strings(regions)
		return regions, nil
	}
	return nil, fmt.Errorf("endpoints: unknown partition %q", partition)
}

//go:build !aioaws_minimal

package models

// minimalBuild reports whether the test binary was built with the tag aioaws_minimal.
const minimalBuild = false

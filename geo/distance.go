// Package geo answers the geometric questions detectors ask about a
// position: how far, which way, on land or at sea, how far from shore.
//
// Coordinates are WGS84 degrees; distances are kilometres on a sphere of
// radius EarthRadiusKm, which is within 0.5% of the ellipsoid everywhere.
package geo

import "math"

// EarthRadiusKm is the mean Earth radius (IUGG).
const EarthRadiusKm = 6371.0088

const rad = math.Pi / 180

// DistanceKm is the great-circle (haversine) distance between two points.
func DistanceKm(lat1, lon1, lat2, lon2 float64) float64 {
	return DistanceKmCos(lat1, lon1, math.Cos(lat1*rad), lat2, lon2, math.Cos(lat2*rad))
}

// DistanceKmCos is DistanceKm, to the last bit, given c1 and c2, the
// cosines of the two latitudes (in radians): hot loops that meet a fix
// again (the tracker's implied speed, the spoofing detector's distance and
// bearing) take each cosine once instead of on every call.
func DistanceKmCos(lat1, lon1, c1, lat2, lon2, c2 float64) float64 {
	dLat := (lat2 - lat1) * rad
	dLon := (lon2 - lon1) * rad
	if dLat == 0 && dLon == 0 && !math.IsNaN(c1*c2) {
		// What the formula gives, without its three calls: a moored
		// ship repeats its position (a seventh of a national feed's
		// fixes repeat the one before).
		return 0
	}
	s1, s2 := math.Sin(dLat/2), math.Sin(dLon/2)
	a := s1*s1 + c1*c2*s2*s2
	if a > 1 {
		a = 1
	}
	return 2 * EarthRadiusKm * math.Asin(math.Sqrt(a))
}

// Destination is the point reached by going distKm from (lat, lon) along the
// great circle with initial bearing bearingDeg (clockwise from true north).
// The longitude is normalised to [-180, 180).
func Destination(lat, lon, bearingDeg, distKm float64) (lat2, lon2 float64) {
	d := distKm / EarthRadiusKm
	b := bearingDeg * rad
	phi1, lam1 := lat*rad, lon*rad
	sinPhi2 := math.Sin(phi1)*math.Cos(d) + math.Cos(phi1)*math.Sin(d)*math.Cos(b)
	phi2 := math.Asin(sinPhi2)
	lam2 := lam1 + math.Atan2(math.Sin(b)*math.Sin(d)*math.Cos(phi1), math.Cos(d)-math.Sin(phi1)*sinPhi2)
	return phi2 / rad, NormLon(lam2 / rad)
}

// Bearing is the initial great-circle bearing from point 1 to point 2, in
// degrees [0, 360) clockwise from true north. It is 0 for identical points.
func Bearing(lat1, lon1, lat2, lon2 float64) float64 {
	phi1, phi2 := lat1*rad, lat2*rad
	dLon := (lon2 - lon1) * rad
	y := math.Sin(dLon) * math.Cos(phi2)
	x := math.Cos(phi1)*math.Sin(phi2) - math.Sin(phi1)*math.Cos(phi2)*math.Cos(dLon)
	deg := math.Atan2(y, x) / rad
	if deg < 0 {
		deg += 360
	}
	return deg
}

// NormLon maps any longitude into [-180, 180).
func NormLon(lon float64) float64 {
	if lon >= -180 && lon < 180 {
		return lon
	}
	lon = math.Mod(lon+180, 360)
	if lon < 0 {
		lon += 360
	}
	return lon - 180
}

package geo

// InRing reports whether (x, y) lies inside ring, a polygon of [lon, lat]
// points, closed or not, by the even-odd rule. The edges are straight in
// lon/lat, which is what a user-drawn area or port polygon means at the
// scale of a port or an alert box.
func InRing(ring [][2]float64, x, y float64) bool {
	in := false
	for i, j := 0, len(ring)-1; i < len(ring); j, i = i, i+1 {
		xi, yi, xj, yj := ring[i][0], ring[i][1], ring[j][0], ring[j][1]
		if (yi > y) != (yj > y) && x < (xj-xi)*(y-yi)/(yj-yi)+xi {
			in = !in
		}
	}
	return in
}

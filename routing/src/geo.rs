//! Straight-line distance on the Earth's surface.

/// Mean Earth radius (IUGG), metres.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Great-circle distance in metres between two `(lat, lon)` points in degrees.
pub fn haversine_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lat1, lat2) = (a.0.to_radians(), b.0.to_radians());
    let dlat = lat2 - lat1;
    let dlon = (b.1 - a.1).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    // clamp: rounding can push h a hair above 1 for antipodal points.
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

#[cfg(test)]
mod tests {
    use super::haversine_m;

    #[test]
    fn known_distances() {
        assert_eq!(haversine_m((31.2, 121.5), (31.2, 121.5)), 0.0);
        // One degree of latitude is ~111.2 km.
        let d = haversine_m((0.0, 0.0), (1.0, 0.0));
        assert!((d - 111_195.0).abs() < 10.0, "{d}");
        // Shanghai (People's Square) to Beijing (Tiananmen): ~1,067 km.
        let d = haversine_m((31.2304, 121.4737), (39.9042, 116.4074));
        assert!((d - 1_067_000.0).abs() < 5_000.0, "{d}");
    }
}

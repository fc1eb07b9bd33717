//! Seeded synthetic depot days for benchmarks and tests (no real customer data needed).
//!
//! A depot in central Shanghai, stops spread uniformly over a 12 km radius, 08:00–18:00 shifts at
//! 25 km/h, about half the stops with a two-hour window, one in ten a VIP. Vehicle capacity is set
//! so the fleet carries about 1.3× the day's weight and parcels: tight enough that routing
//! matters, loose enough that a good plan serves everyone.

use crate::model::{Depot, StopSpec, VehicleSpec};
use chrono::{DateTime, Duration, TimeZone, Utc};

/// SplitMix64: tiny, seedable and stable across versions (unlike a crate RNG's stream).
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo + 1) as u64) as i64
    }
}

/// One generated depot day.
#[derive(Clone, Debug)]
pub struct DepotDay {
    pub depot: Depot,
    pub vehicles: Vec<VehicleSpec>,
    pub stops: Vec<StopSpec>,
}

/// The day every generated shift runs on.
pub fn day_start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 2, 0, 0, 0)
        .single()
        .expect("valid constant date")
}

/// Generates `stops` stops and `vehicles` vehicles; the same seed gives the same day.
pub fn depot_day(seed: u64, stops: usize, vehicles: usize) -> DepotDay {
    let mut rng = SplitMix(seed);
    let depot = Depot {
        id: "SH-01".into(),
        lat: 31.2304,
        lon: 121.4737,
    };
    let day = day_start();
    let (shift_start, shift_end) = (day + Duration::hours(8), day + Duration::hours(18));
    let stops: Vec<StopSpec> = (0..stops)
        .map(|i| {
            // Uniform over a disc: radius ∝ sqrt(u).
            let (r_km, bearing) = (12.0 * rng.unit().sqrt(), rng.unit() * std::f64::consts::TAU);
            let lat = depot.lat + r_km / 111.2 * bearing.cos();
            let lon = depot.lon + r_km / (111.2 * depot.lat.to_radians().cos()) * bearing.sin();
            let window = (rng.unit() < 0.5).then(|| {
                let open = shift_start + Duration::minutes(rng.range(0, 14) * 30);
                (open, open + Duration::hours(2))
            });
            StopSpec {
                id: format!("SHP-{seed}-{i:05}"),
                lat,
                lon,
                window,
                weight_grams: rng.range(200, 20_000),
                parcels: rng.range(1, 3),
                service_seconds: rng.range(120, 300),
                priority: u8::from(rng.unit() < 0.1),
                locked_to: None,
            }
        })
        .collect();
    let total_weight: i64 = stops.iter().map(|s| s.weight_grams).sum();
    let total_parcels: i64 = stops.iter().map(|s| s.parcels).sum();
    let per_vehicle = |total: i64| (total as f64 * 1.3 / vehicles.max(1) as f64).ceil() as i64;
    let vehicles = (0..vehicles)
        .map(|v| VehicleSpec {
            id: format!("VAN-{v:03}"),
            depot_id: depot.id.clone(),
            capacity_weight_grams: per_vehicle(total_weight),
            capacity_parcels: per_vehicle(total_parcels),
            shift_start,
            shift_end,
            speed_kmh: 25.0,
        })
        .collect();
    DepotDay {
        depot,
        vehicles,
        stops,
    }
}

//! Sites, fleet and delivery routing end to end over HTTP, on both backends: admin registers a
//! depot and vans, the day's own-fleet stops are planned with the solver, the plan is stored
//! on Route streams and replayed from there, dispatch and stop outcomes reach the shipments,
//! and a re-plan keeps the dispatched route fixed.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use waybill_api::auth::Role;
use waybill_tests::routing::{self, own_fleet_stop, Prepared};
use waybill_tests::wide;
use waybill_tests::{on_both_backends, TestApp};

const DEPOT: &str = "depot-hz";
const DATE: &str = "2025-03-10";

const REGISTER_SITE: &str = "mutation($id: String!) { registerSite(id: $id, kind: DEPOT, details: {name: \"Xihu depot\", address: {recipient: \"Dock\", phone: \"+86 571 0000\", country: \"CN\", province: \"Zhejiang\", city: \"Hangzhou\", street: \"88 Wenyi West Road\", coordinates: {lat: 30.2741, lon: 120.1059}}, opens: \"07:00:00\", closes: \"20:00:00\"}) { streamId position } }";
const REGISTER_VEHICLE: &str = "mutation($id: String!) { registerVehicle(vehicleId: $id, spec: {depot: \"depot-hz\", capacityWeightGrams: 20000, capacityParcels: 3, shiftStart: \"08:00:00\", shiftEnd: \"18:00:00\", averageSpeedKmh: 30}) { streamId position } }";
const STOPS: &str = "query($p: Int64) { deliveryStops(depot: \"depot-hz\", date: \"2025-03-10\", consistentWith: $p) { shipmentId status windowStart windowEnd parcels weightGrams routeId } }";
const PLAN: &str = "mutation($p: Int64) { planRoutes(depot: \"depot-hz\", date: \"2025-03-10\", vehicles: [\"van-1\", \"van-2\"], settings: {maxGenerations: 100, maxTimeSecs: 5}, consistentWith: $p) { routes { routeId vehicleId replanned stops { shipmentId sequence eta departure } } unassigned { shipmentId code reason } fixedRouteIds supersededRouteIds solverName solverVersion position } }";
const ROUTE_PLAN: &str = "query($p: Int64) { routePlan(depot: \"depot-hz\", date: \"2025-03-10\", consistentWith: $p) { routes { routeId vehicleId status revision solver { name version settings } stops { shipmentId sequence eta outcome } } unplannedStops { shipmentId } } }";
const HISTORY: &str = "query($t: String!, $id: String!) { streamHistory(streamType: $t, streamId: $id) { events { eventType payload } } }";

fn at(h: u32) -> DateTime<Utc> {
    routing::at(DATE, h)
}

/// Creates, picks and packs an own-fleet shipment for the depot's day; returns (id, position).
async fn shipment(app: &TestApp, lat: f64, lon: f64, window: (u32, u32)) -> (String, i64) {
    own_fleet_stop(app, DEPOT, DATE, (lat, lon), window, Prepared::Packed).await
}

fn pos(v: &Value) -> i64 {
    wide(&v["position"])
}

fn time(v: &Value) -> DateTime<Utc> {
    v.as_str().expect("time").parse().expect("RFC 3339")
}

async fn stop_statuses(app: &TestApp, p: i64) -> BTreeMap<String, Value> {
    let stops = app.gql(STOPS, json!({"p": p})).await["deliveryStops"].clone();
    stops
        .as_array()
        .expect("stops")
        .iter()
        .map(|s| (s["shipmentId"].as_str().expect("id").to_string(), s.clone()))
        .collect()
}

async fn routing_flow(app: &TestApp) {
    // Admin manages the network; the warehouse role may not.
    let warehouse = app.key(Role::Warehouse).await;
    let code = app
        .gql_error(&warehouse, REGISTER_SITE, json!({"id": "depot-other"}))
        .await;
    assert_eq!(code, "FORBIDDEN");
    let site = app.gql(REGISTER_SITE, json!({"id": DEPOT})).await["registerSite"].clone();
    assert_eq!(site["streamId"], "warehouse:depot-hz");
    let mut p = 0;
    for van in ["van-1", "van-2"] {
        p = pos(&app.gql(REGISTER_VEHICLE, json!({"id": van})).await["registerVehicle"]);
    }
    let vehicles = app
        .gql("query($p: Int64) { vehicles(depot: \"depot-hz\", consistentWith: $p) { vehicleId capacityParcels status } }", json!({"p": p}))
        .await;
    assert_eq!(vehicles["vehicles"].as_array().map(Vec::len), Some(2));
    let sites = app
        .gql(
            "query($p: Int64) { sites(kind: DEPOT, consistentWith: $p) { siteId kind lat status } }",
            json!({"p": pos(&site)}),
        )
        .await;
    assert_eq!(sites["sites"][0]["siteId"], "warehouse:depot-hz");

    // Five feasible stops (more than one van's 3 parcels) and one whose window is before
    // every shift.
    let mut feasible = BTreeMap::new();
    let spots = [
        (30.26, 120.12),
        (30.28, 120.15),
        (30.29, 120.09),
        (30.25, 120.16),
        (30.30, 120.13),
    ];
    for (i, (lat, lon)) in spots.into_iter().enumerate() {
        let window = if i % 2 == 0 { (9, 13) } else { (12, 17) };
        let (id, position) = shipment(app, lat, lon, window).await;
        feasible.insert(id, window);
        p = position;
    }
    let (infeasible, position) = shipment(app, 30.27, 120.11, (2, 3)).await;
    p = p.max(position);

    let stops = stop_statuses(app, p).await;
    assert_eq!(stops.len(), 6);
    assert!(stops
        .values()
        .all(|s| s["status"] == "pending" && s["parcels"] == 1));

    // Planning (warehouse role) covers every feasible stop, inside windows and capacities.
    let plan = app.gql_as(&warehouse, PLAN, json!({"p": p})).await["planRoutes"].clone();
    assert_eq!(plan["solverName"], "vrp-pragmatic");
    let unassigned = plan["unassigned"].as_array().expect("unassigned");
    assert_eq!(unassigned.len(), 1, "{plan}");
    assert_eq!(unassigned[0]["shipmentId"], infeasible.as_str());
    assert!(!unassigned[0]["code"].as_str().unwrap_or("").is_empty());
    assert!(!unassigned[0]["reason"].as_str().unwrap_or("").is_empty());
    let routes = plan["routes"].as_array().expect("routes").clone();
    assert_eq!(routes.len(), 2, "3 parcels per van: both vans needed");
    let mut covered = BTreeSet::new();
    for route in &routes {
        let stops = route["stops"].as_array().expect("stops");
        assert!(stops.len() <= 3, "capacity respected: {route}");
        for stop in stops {
            let id = stop["shipmentId"].as_str().expect("id").to_string();
            let (from, to) = feasible[&id];
            let eta = time(&stop["eta"]);
            assert!(
                eta >= at(from) && eta <= at(to),
                "ETA {eta} outside window of {id}"
            );
            covered.insert(id);
        }
    }
    assert_eq!(covered, feasible.keys().cloned().collect::<BTreeSet<_>>());

    // The decision is stored: RoutePlanned with solver name, version and settings.
    let route_a = routes[0]["routeId"].as_str().expect("route id").to_string();
    let history = app.gql(HISTORY, json!({"t": "Route", "id": route_a})).await;
    let first = &history["streamHistory"]["events"][0];
    assert_eq!(first["eventType"], "RoutePlanned");
    let solver = &first["payload"]["RoutePlanned"]["plan"]["solver"];
    assert_eq!(solver["name"], "vrp-pragmatic");
    assert_eq!(solver["version"], plan["solverVersion"]);
    assert_eq!(solver["settings"]["max_generations"], 100);

    // routePlan replays the stored plan, stop for stop.
    let stored = app.gql(ROUTE_PLAN, json!({"p": pos(&plan)})).await["routePlan"].clone();
    let stored_routes = stored["routes"].as_array().expect("routes");
    assert_eq!(stored_routes.len(), 2);
    for route in &routes {
        let same = stored_routes
            .iter()
            .find(|r| r["routeId"] == route["routeId"])
            .expect("stored route");
        assert_eq!(same["status"], "planned");
        assert_eq!(same["solver"]["name"], "vrp-pragmatic");
        for (a, b) in route["stops"]
            .as_array()
            .unwrap()
            .iter()
            .zip(same["stops"].as_array().unwrap())
        {
            assert_eq!(a["shipmentId"], b["shipmentId"]);
            assert_eq!(time(&a["eta"]), time(&b["eta"]));
        }
    }
    assert_eq!(
        stored["unplannedStops"][0]["shipmentId"],
        infeasible.as_str()
    );

    // Dispatch: the route's shipments go out for delivery.
    let dispatched = app
        .gql_as(
            &warehouse,
            "mutation($r: String!) { dispatchRoute(routeId: $r, driver: \"drv-7\") { position } }",
            json!({"r": route_a}),
        )
        .await["dispatchRoute"]
        .clone();
    let stops = stop_statuses(app, pos(&dispatched)).await;
    let on_a: Vec<String> = routes[0]["stops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["shipmentId"].as_str().unwrap().to_string())
        .collect();
    for id in &on_a {
        assert_eq!(stops[id]["status"], "on_route");
        assert_eq!(stops[id]["routeId"], route_a.as_str());
    }

    // A completed stop delivers the shipment; a retry writes nothing new.
    const DONE: &str = "mutation($r: String!, $s: String!) { recordStopCompleted(routeId: $r, shipmentId: $s, proof: {signedBy: \"Li Wei\"}) { position } }";
    let done = app
        .gql_as(&warehouse, DONE, json!({"r": route_a, "s": on_a[0]}))
        .await;
    let stops = stop_statuses(app, pos(&done["recordStopCompleted"])).await;
    assert_eq!(stops[&on_a[0]]["status"], "delivered");
    let before = app.event_count().await;
    app.gql_as(&warehouse, DONE, json!({"r": route_a, "s": on_a[0]}))
        .await;
    assert_eq!(app.event_count().await, before, "retry deduplicated");
    let shipment_history = app
        .gql(HISTORY, json!({"t": "Shipment", "id": on_a[0]}))
        .await;
    let scans: Vec<&Value> = shipment_history["streamHistory"]["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["eventType"] == "ScanRecorded")
        .collect();
    assert_eq!(scans.len(), 1);
    assert_eq!(scans[0]["payload"]["ScanRecorded"]["status"], "delivered");
    if on_a.len() > 1 {
        let failed = app
            .gql_as(&warehouse, "mutation($r: String!, $s: String!) { recordStopFailed(routeId: $r, shipmentId: $s, reason: \"nobody home\") { position } }", json!({"r": route_a, "s": on_a[1]}))
            .await;
        let stops = stop_statuses(app, pos(&failed["recordStopFailed"])).await;
        assert_eq!(stops[&on_a[1]]["status"], "failed");
    }

    // Re-planning keeps the dispatched route and plans only the remaining stops.
    let replan = app
        .gql_as(
            &warehouse,
            PLAN,
            json!({"p": pos(&done["recordStopCompleted"])}),
        )
        .await["planRoutes"]
        .clone();
    assert_eq!(replan["fixedRouteIds"], json!([route_a]));
    let new_routes = replan["routes"].as_array().expect("routes");
    assert_eq!(new_routes.len(), 1, "{replan}");
    assert_ne!(new_routes[0]["vehicleId"], routes[0]["vehicleId"]);
    assert_eq!(
        new_routes[0]["routeId"], routes[1]["routeId"],
        "re-planned in place"
    );
    assert_eq!(new_routes[0]["replanned"], true);
    let replanned: BTreeSet<String> = new_routes[0]["stops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["shipmentId"].as_str().unwrap().to_string())
        .collect();
    let rest: BTreeSet<String> = feasible
        .keys()
        .filter(|id| !on_a.contains(id))
        .cloned()
        .collect();
    assert_eq!(replanned, rest);
    let stored = app.gql(ROUTE_PLAN, json!({"p": pos(&replan)})).await["routePlan"].clone();
    let kept = stored["routes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["routeId"] == route_a.as_str())
        .expect("dispatched route kept")
        .clone();
    assert_eq!(kept["status"], "dispatched");
    assert_eq!(kept["revision"], "1");
    assert_eq!(kept["stops"][0]["outcome"], "completed");

    // Closing with open stops needs force and a reason.
    let close = "mutation($r: String!) { closeRoute(routeId: $r, force: true, reason: \"end of shift\") { position } }";
    app.gql_as(&warehouse, close, json!({"r": route_a})).await;
}

on_both_backends!(routing_flow);

/// A supplied travel matrix replaces straight lines: with every leg 1 km, two stops on one van
/// make a 3 km route however far apart their coordinates are; a matrix missing a stop is refused.
async fn plans_follow_a_supplied_matrix(app: &TestApp) {
    app.gql(REGISTER_SITE, json!({"id": DEPOT})).await;
    app.gql(REGISTER_VEHICLE, json!({"id": "van-1"})).await;
    let (a, _) = shipment(app, 30.30, 120.10, (9, 17)).await;
    let (b, p) = shipment(app, 31.20, 121.40, (9, 17)).await;
    let plan = "mutation($p: Int64, $t: TravelMatrixInput) { planRoutes(depot: \"depot-hz\", date: \"2025-03-10\", vehicles: [\"van-1\"], settings: {maxGenerations: 50, maxTimeSecs: 5}, travel: $t, consistentWith: $p) { routes { distanceM stops { shipmentId } } unassigned { shipmentId } } }";
    let n = 3;
    let leg = |i: usize, j: usize| if i == j { 0 } else { 1000 };
    let distances: Vec<i64> = (0..n * n).map(|k| leg(k / n, k % n)).collect();
    let durations: Vec<i64> = (0..n * n).map(|k| leg(k / n, k % n) / 10).collect();
    let travel =
        json!({"locations": ["depot", a, b], "distancesM": distances, "durationsS": durations});
    let missing = json!({"locations": ["depot", a, "nope"], "distancesM": distances, "durationsS": durations});
    assert_eq!(
        app.gql_error(&app.admin, plan, json!({"p": p, "t": missing}))
            .await,
        "INVALID_INPUT"
    );
    let planned = app.gql(plan, json!({"p": p, "t": travel})).await;
    let routes = planned["planRoutes"]["routes"].as_array().unwrap();
    assert_eq!(routes.len(), 1, "{planned}");
    assert_eq!(routes[0]["stops"].as_array().unwrap().len(), 2);
    assert_eq!(
        routes[0]["distanceM"].as_f64().map(|d| d.round() as i64),
        Some(3000),
        "{planned}"
    );
}
on_both_backends!(plans_follow_a_supplied_matrix);

//! `cargo run --release -p pcl-syntax --example parse_time FILE`: parse time.
#![allow(clippy::unwrap_used, clippy::print_stdout, reason = "example")]
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let text = std::fs::read_to_string(path).unwrap();
    let mut best = f64::MAX;
    for _ in 0..5 {
        let t = std::time::Instant::now();
        let parsed = pcl_syntax::parse_file(&text);
        std::hint::black_box(parsed.items.len());
        best = best.min(t.elapsed().as_secs_f64());
    }
    println!("{:.1} ms, {:.1} MB/s", best * 1e3, text.len() as f64 / 1e6 / best);
}

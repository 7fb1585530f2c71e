//! Equality as the wire sees it, for round-trip checks.

use crate::Value;

impl Value {
    /// Whether two values are the same on the wire: like `==`, except that
    /// doubles compare bit for bit (`-0.0` differs from `0.0`) and any NaN
    /// equals any NaN (NaN is written `NaN`, whatever its payload). Struct
    /// member order and duplicates count. Walks nesting without recursion.
    pub fn wire_eq(&self, other: &Value) -> bool {
        let mut pending = vec![(self, other)];
        while let Some((a, b)) = pending.pop() {
            match (a, b) {
                (Value::Double(x), Value::Double(y)) => {
                    if !(x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan())) {
                        return false;
                    }
                }
                (Value::Array(xs), Value::Array(ys)) => {
                    if xs.len() != ys.len() {
                        return false;
                    }
                    pending.extend(xs.iter().zip(ys));
                }
                (Value::Struct(xs), Value::Struct(ys)) => {
                    if xs.len() != ys.len() {
                        return false;
                    }
                    for ((xn, xv), (yn, yv)) in xs.iter().zip(ys.iter()) {
                        if xn != yn {
                            return false;
                        }
                        pending.push((xv, yv));
                    }
                }
                (Value::Array(_) | Value::Struct(_), _)
                | (_, Value::Array(_) | Value::Struct(_)) => {
                    return false;
                }
                (a, b) => {
                    if a != b {
                        return false;
                    }
                }
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use crate::{Struct, Value};

    #[test]
    fn doubles_bit_exact_and_nan_aware() {
        let d = Value::Double;
        assert!(d(f64::NAN).wire_eq(&d(-f64::NAN)));
        assert!(!d(0.0).wire_eq(&d(-0.0)));
        assert!(d(0.1).wire_eq(&d(0.1)));
        let nested = |x| Value::Array(vec![Value::Struct(Struct::new().with("d", d(x)))]);
        assert!(nested(f64::NAN).wire_eq(&nested(f64::NAN)));
        assert!(!nested(1.0).wire_eq(&nested(2.0)));
    }

    #[test]
    fn order_and_names_count() {
        let ab = Value::Struct(Struct::new().with("a", Value::Nil).with("b", Value::Nil));
        let ba = Value::Struct(Struct::new().with("b", Value::Nil).with("a", Value::Nil));
        assert!(!ab.wire_eq(&ba));
        assert!(ab.wire_eq(&ab.clone()));
        assert!(!Value::Int(1).wire_eq(&Value::I8(1)));
        assert!(!Value::Array(vec![]).wire_eq(&Value::Nil));
    }
}

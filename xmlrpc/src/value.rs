//! The XML-RPC value model.

/// One XML-RPC value, as it travels on the wire.
///
/// The model is lossless for everything SUSE Manager and its clients send:
/// `dateTime.iso8601` keeps its original text (servers and clients disagree
/// on its exact form, and the gateway must pass it on untouched), struct
/// members keep their order, and `<i8>` stays apart from `<i4>`.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `<i4>` or `<int>`: a signed 32-bit integer. Always written as `<i4>`.
    Int(i32),
    /// `<i8>`: a signed 64-bit integer (an extension; SUSE Manager never sends it).
    I8(i64),
    /// `<boolean>`: `1` or `0`.
    Bool(bool),
    /// `<string>`, or a `<value>` with text and no type element.
    String(String),
    /// `<double>`.
    Double(f64),
    /// `<dateTime.iso8601>`, with the exact text received.
    DateTime(String),
    /// `<base64>`, decoded.
    Base64(Vec<u8>),
    /// `<struct>`: members in the order received.
    Struct(Struct),
    /// `<array>`.
    Array(Vec<Value>),
    /// `<nil/>` or `<ex:nil/>`.
    Nil,
}

/// An XML-RPC struct: an ordered list of named members.
///
/// Member order is kept as received; look-ups are linear, which is the fast
/// choice for the handful of members SUSE Manager structs carry.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Struct {
    members: Vec<(String, Value)>,
}

/// The wire type of a value, without its content: what overload resolution
/// and type faults look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WireType {
    /// `<i4>`/`<int>`.
    Int,
    /// `<i8>`.
    I8,
    /// `<boolean>`.
    Bool,
    /// `<string>` or untyped.
    String,
    /// `<double>`.
    Double,
    /// `<dateTime.iso8601>`.
    DateTime,
    /// `<base64>`.
    Base64,
    /// `<struct>`.
    Struct,
    /// `<array>`.
    Array,
    /// `<nil/>`.
    Nil,
}

impl Value {
    /// The value's wire type.
    pub fn wire_type(&self) -> WireType {
        match self {
            Value::Int(_) => WireType::Int,
            Value::I8(_) => WireType::I8,
            Value::Bool(_) => WireType::Bool,
            Value::String(_) => WireType::String,
            Value::Double(_) => WireType::Double,
            Value::DateTime(_) => WireType::DateTime,
            Value::Base64(_) => WireType::Base64,
            Value::Struct(_) => WireType::Struct,
            Value::Array(_) => WireType::Array,
            Value::Nil => WireType::Nil,
        }
    }

    /// A string value.
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    /// The integer inside `Int` or `I8`.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(i64::from(*i)),
            Value::I8(i) => Some(*i),
            _ => None,
        }
    }

    /// The text inside `String`.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean inside `Bool`.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The members of a `Struct`.
    pub fn as_struct(&self) -> Option<&Struct> {
        match self {
            Value::Struct(s) => Some(s),
            _ => None,
        }
    }

    /// The items of an `Array`.
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }
}

impl WireType {
    /// The element name this type has on the wire (`i4` for `Int`).
    pub fn xml_name(self) -> &'static str {
        match self {
            WireType::Int => "i4",
            WireType::I8 => "i8",
            WireType::Bool => "boolean",
            WireType::String => "string",
            WireType::Double => "double",
            WireType::DateTime => "dateTime.iso8601",
            WireType::Base64 => "base64",
            WireType::Struct => "struct",
            WireType::Array => "array",
            WireType::Nil => "nil",
        }
    }
}

impl Struct {
    /// An empty struct.
    pub fn new() -> Struct {
        Struct::default()
    }

    /// An empty struct with room for `n` members.
    pub fn with_capacity(n: usize) -> Struct {
        Struct {
            members: Vec::with_capacity(n),
        }
    }

    /// Sets a member: replaces the value of an existing member of that name
    /// (keeping its place), else appends.
    pub fn insert(&mut self, name: impl Into<String>, value: Value) {
        let name = name.into();
        match self.members.iter_mut().find(|(n, _)| *n == name) {
            Some((_, v)) => *v = value,
            None => self.members.push((name, value)),
        }
    }

    /// Appends a member without looking for an existing one of that name
    /// (for builders that know their names are unique, and for the parser,
    /// which keeps duplicates as received).
    pub fn push(&mut self, name: impl Into<String>, value: Value) {
        self.members.push((name.into(), value));
    }

    /// Builder form of [`Struct::push`].
    pub fn with(mut self, name: impl Into<String>, value: Value) -> Struct {
        self.push(name, value);
        self
    }

    /// The value of the first member called `name`.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.members.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// Mutable access to the value of the first member called `name`.
    pub fn get_mut(&mut self, name: &str) -> Option<&mut Value> {
        self.members
            .iter_mut()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }

    /// Removes and returns the first member called `name`.
    pub fn remove(&mut self, name: &str) -> Option<Value> {
        let pos = self.members.iter().position(|(n, _)| n == name)?;
        Some(self.members.remove(pos).1)
    }

    /// Members in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.members.iter().map(|(n, v)| (n.as_str(), v))
    }

    /// Mutable members in order.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&str, &mut Value)> {
        self.members.iter_mut().map(|(n, v)| (n.as_str(), v))
    }

    /// Members in order, as a slice.
    pub(crate) fn members(&self) -> &[(String, Value)] {
        &self.members
    }

    /// Members in order, mutable (names included).
    pub(crate) fn members_mut(&mut self) -> &mut [(String, Value)] {
        &mut self.members
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether the struct has no members.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }
}

impl From<Struct> for Value {
    fn from(s: Struct) -> Value {
        Value::Struct(s)
    }
}

impl From<i32> for Value {
    fn from(i: i32) -> Value {
        Value::Int(i)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s)
    }
}

impl From<Vec<Value>> for Value {
    fn from(a: Vec<Value>) -> Value {
        Value::Array(a)
    }
}

impl IntoIterator for Struct {
    type Item = (String, Value);
    type IntoIter = std::vec::IntoIter<(String, Value)>;

    /// Members in order, by value.
    fn into_iter(self) -> Self::IntoIter {
        self.members.into_iter()
    }
}

impl From<f64> for Value {
    fn from(d: f64) -> Value {
        Value::Double(d)
    }
}

impl FromIterator<(String, Value)> for Struct {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(iter: I) -> Struct {
        Struct {
            members: iter.into_iter().collect(),
        }
    }
}

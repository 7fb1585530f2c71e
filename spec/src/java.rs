//! The Java side of dispatch: the classes the server sees its arguments as,
//! the classes its handler methods declare, and the conversions
//! `com.redhat.rhn.common.translation.Translator` offers between them.

use xmlrpc::Value;

use crate::Type;

/// The runtime class of an argument inside the server, after the redstone
/// XML-RPC parser (`XmlRpcValue`) and `BaseHandler`'s session lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Arg {
    /// A session key, replaced by the logged-in user.
    User,
    /// `<i4>`/`<int>`.
    Integer,
    /// `<i8>`.
    Long,
    /// `<boolean>`.
    Boolean,
    /// `<string>`, an untyped value, and `<nil/>` (redstone keeps the empty
    /// text of an element it does not know as a string).
    String,
    /// `<double>`.
    Double,
    /// `<dateTime.iso8601>`.
    Date,
    /// `<base64>`.
    Bytes,
    /// `<struct>`: redstone's `XmlRpcStruct`, a `HashMap`.
    Struct,
    /// `<array>`: redstone's `XmlRpcArray`, an `ArrayList`.
    Array,
}

/// A parameter class a handler method declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Param {
    /// The logged-in user (`com.redhat.rhn.domain.user.User`, an interface).
    User,
    Integer,
    Long,
    Boolean,
    String,
    Double,
    Date,
    Bytes,
    /// `java.util.Map`.
    Map,
    /// `java.util.List`.
    List,
}

impl Arg {
    /// The class of `value` as the server holds it.
    pub(crate) fn of(value: &Value) -> Arg {
        match value {
            Value::Int(_) => Arg::Integer,
            Value::I8(_) => Arg::Long,
            Value::Bool(_) => Arg::Boolean,
            Value::String(_) | Value::Nil => Arg::String,
            Value::Double(_) => Arg::Double,
            Value::DateTime(_) => Arg::Date,
            Value::Base64(_) => Arg::Bytes,
            Value::Struct(_) => Arg::Struct,
            Value::Array(_) => Arg::Array,
        }
    }

    /// `Class.getName()`, as `BaseHandler` lists arguments in its
    /// "Could not find method" fault.
    pub(crate) fn class_name(self) -> &'static str {
        match self {
            Arg::User => "com.redhat.rhn.domain.user.legacy.UserImpl",
            Arg::Integer => "java.lang.Integer",
            Arg::Long => "java.lang.Long",
            Arg::Boolean => "java.lang.Boolean",
            Arg::String => "java.lang.String",
            Arg::Double => "java.lang.Double",
            Arg::Date => "java.util.Date",
            Arg::Bytes => "[B",
            Arg::Struct => "redstone.xmlrpc.XmlRpcStruct",
            Arg::Array => "redstone.xmlrpc.XmlRpcArray",
        }
    }

    /// `Class.toString()`: every argument class is a class.
    pub(crate) fn describe(self) -> String {
        format!("class {}", self.class_name())
    }
}

impl Param {
    /// The class a handler declares for a parameter of type `ty`: the
    /// wrapper classes (a primitive `int` parameter could never match the
    /// `Integer` redstone hands over, so handlers declare wrappers).
    pub(crate) fn of(ty: &Type) -> Param {
        match ty {
            Type::Int => Param::Integer,
            Type::Long => Param::Long,
            Type::Boolean => Param::Boolean,
            Type::String => Param::String,
            Type::Double => Param::Double,
            Type::DateTime => Param::Date,
            Type::Base64 => Param::Bytes,
            Type::Struct => Param::Map,
            Type::Array(_) => Param::List,
        }
    }

    /// `Class.toString()`, as `Translations.convert` names the target.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Param::User => "interface com.redhat.rhn.domain.user.User",
            Param::Integer => "class java.lang.Integer",
            Param::Long => "class java.lang.Long",
            Param::Boolean => "class java.lang.Boolean",
            Param::String => "class java.lang.String",
            Param::Double => "class java.lang.Double",
            Param::Date => "class java.util.Date",
            Param::Bytes => "class [B",
            Param::Map => "interface java.util.Map",
            Param::List => "interface java.util.List",
        }
    }

    /// `Class.isAssignableFrom`: whether an argument of class `arg` is
    /// passed as it is.
    pub(crate) fn accepts(self, arg: Arg) -> bool {
        matches!(
            (self, arg),
            (Param::User, Arg::User)
                | (Param::Integer, Arg::Integer)
                | (Param::Long, Arg::Long)
                | (Param::Boolean, Arg::Boolean)
                | (Param::String, Arg::String)
                | (Param::Double, Arg::Double)
                | (Param::Date, Arg::Date)
                | (Param::Bytes, Arg::Bytes)
                | (Param::Map, Arg::Struct)
                | (Param::List, Arg::Array)
        )
    }

    /// Whether `Translator.convert(arg, self)` succeeds: the parameter
    /// accepts the argument, or `Translator` declares a method from the
    /// argument's class (or a supertype) returning exactly this class.
    ///
    /// `Translator`'s conversions: `int2String`, `long2String`,
    /// `double2String`, `boolean2String`, `date2String`, `list2String`,
    /// `map2String` (to `String`); `int2List` (Integer to `List`);
    /// `long2User` (Integer to `User`: a user looked up by id);
    /// `long2Integer` (Long to Integer). `int2Boolean`, `string2boolean`,
    /// `long2Int` and the like return primitives, which never equal the
    /// wrapper class a handler declares, so Integer to Boolean, String to
    /// Boolean and Integer to Long have no translator.
    pub(crate) fn converts_from(self, arg: Arg) -> bool {
        self.accepts(arg)
            || matches!(
                (arg, self),
                (
                    Arg::Integer
                        | Arg::Long
                        | Arg::Double
                        | Arg::Boolean
                        | Arg::Date
                        | Arg::Array
                        | Arg::Struct,
                    Param::String
                ) | (Arg::Integer, Param::List | Param::User)
                    | (Arg::Long, Param::Integer)
            )
    }

    /// The type word `ApiHandler.getType` shows for this class in
    /// `api.getApiNamespaceCallList`: `string`, `int`, `date`, `boolean`,
    /// `struct` (a `Map`), `array`, `base64`; the user parameter shows as
    /// `string`; anything else (`Long`, `Double`) falls through to
    /// `struct`.
    pub(crate) fn api_type_word(self) -> &'static str {
        match self {
            Param::String | Param::User => "string",
            Param::Integer => "int",
            Param::Date => "date",
            Param::Boolean => "boolean",
            Param::List => "array",
            Param::Bytes => "base64",
            Param::Map | Param::Long | Param::Double => "struct",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn translator_conversions() {
        assert!(Param::String.converts_from(Arg::Integer));
        assert!(Param::String.converts_from(Arg::Struct));
        assert!(Param::List.converts_from(Arg::Integer));
        assert!(Param::User.converts_from(Arg::Integer));
        assert!(Param::Integer.converts_from(Arg::Long));
        assert!(!Param::Long.converts_from(Arg::Integer));
        assert!(!Param::Boolean.converts_from(Arg::Integer));
        assert!(!Param::Integer.converts_from(Arg::String));
        assert!(!Param::User.converts_from(Arg::String));
        assert!(!Param::List.converts_from(Arg::Struct));
    }

    #[test]
    fn names_as_java_prints_them() {
        assert_eq!(Arg::of(&Value::Nil).class_name(), "java.lang.String");
        assert_eq!(Arg::Bytes.describe(), "class [B");
        assert_eq!(
            Param::User.describe(),
            "interface com.redhat.rhn.domain.user.User"
        );
    }
}

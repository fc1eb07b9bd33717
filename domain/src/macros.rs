//! Boilerplate generators shared by the value types.

/// A fieldless enum whose variants have a stable wire code.
///
/// The same literal drives `code()`, `FromStr` and the serde name, so the
/// three can never drift apart: the API, the database and the event payloads
/// all agree on one spelling per variant.
macro_rules! coded_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident (field = $field:literal) {
            $( $(#[$vmeta:meta])* $variant:ident => $code:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize,
        )]
        $vis enum $name {
            $( $(#[$vmeta])* #[serde(rename = $code)] $variant ),+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// Stable snake_case code used on the wire and in storage.
            pub const fn code(self) -> &'static str {
                match self {
                    $($name::$variant => $code),+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::validation::ValidationError;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                match value {
                    $($code => Ok($name::$variant),)+
                    other => Err($crate::validation::ValidationError::UnknownCode {
                        field: $field,
                        value: other.to_owned(),
                    }),
                }
            }
        }
    };
}

/// A string newtype that can only be built through its validation rule.
///
/// Serde goes through `TryFrom<String>` so deserialised payloads (API bodies,
/// stored events, snapshots) are held to the same rule as `parse`.
macro_rules! validated_string {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident (field = $field:literal, rule = $rule:path);
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize,
        )]
        #[serde(try_from = "String", into = "String")]
        $vis struct $name(String);

        impl $name {
            /// Name of the field reported in validation errors.
            pub const FIELD: &'static str = $field;

            /// Validates and wraps `value`.
            pub fn parse(value: &str) -> Result<Self, $crate::validation::ValidationError> {
                $rule($field, value)?;
                Ok(Self(value.to_owned()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_inner(self) -> String {
                self.0
            }

            /// For crate-owned literals (see `order::sample`); a unit test
            /// re-validates every one of them.
            #[allow(dead_code)]
            pub(crate) fn trusted(value: &'static str) -> Self {
                Self(value.to_owned())
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::validation::ValidationError;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                $rule($field, &value)?;
                Ok(Self(value))
            }
        }

        impl TryFrom<&str> for $name {
            type Error = $crate::validation::ValidationError;

            fn try_from(value: &str) -> Result<Self, Self::Error> {
                Self::parse(value)
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::validation::ValidationError;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Self::parse(value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

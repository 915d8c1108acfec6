//! [`operations!`]: each operation of a protocol declared once.
//!
//! One line per operation names it exactly as the botocore service model
//! does, the handler that answers it and, for REST protocols, its routes.
//! The enum, [`name`](crate::ses_v2::Operation::name), the lookup by name,
//! the route table and the dispatch `match` are all generated from that
//! line, so they cannot drift apart (the way garage's `router_match!`
//! derives names from its variants). A handler is an `async fn(&Call) ->
//! Result<T, ApiError>` where `T` converts into the protocol's answer.

/// Declares a protocol's operations. See the module doc.
///
/// ```text
/// operations! {
///     pub enum Operation(Call<'_>) -> Answer;
///     GetAccount => account::get [GET "/v2/email/account"];
///     Publish => actions::publish;
/// }
/// ```
macro_rules! operations {
    (
        $(#[$meta:meta])*
        $vis:vis enum $Enum:ident($Call:ty) -> $Answer:ty;
        $( $name:ident => $handler:path $([ $($method:ident $path:literal),+ $(,)? ])? ; )*
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $Enum {
            $( $name, )*
        }

        impl $Enum {
            /// Every operation, in declaration order.
            pub const ALL: &'static [$Enum] = &[ $( $Enum::$name, )* ];

            /// Every route: (operation, HTTP method, path pattern with
            /// `{Label}` segments named as in the service model).
            pub const ROUTES: &'static [($Enum, &'static str, &'static str)] = &[
                $( $( $( ($Enum::$name, stringify!($method), $path), )+ )? )*
            ];

            /// The operation's name, as AWS spells it.
            pub fn name(self) -> &'static str {
                match self {
                    $( $Enum::$name => stringify!($name), )*
                }
            }

            /// The operation called `name`, if this protocol has it.
            pub fn from_name(name: &str) -> Option<$Enum> {
                match name {
                    $( stringify!($name) => Some($Enum::$name), )*
                    _ => None,
                }
            }

            /// Runs the operation's handler.
            pub async fn call(self, call: &$Call) -> Result<$Answer, $crate::error::ApiError> {
                match self {
                    $( $Enum::$name => $handler(call).await.map(Into::into), )*
                }
            }
        }
    };
}

pub(crate) use operations;

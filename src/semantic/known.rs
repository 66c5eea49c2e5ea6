//! Built-in tables of .NET APIs. Data, sorted by full type name, then member; a test keeps
//! them sorted and unique. Lookups compare the simple (last) segment of the type name,
//! which is what source code usually writes.

/// Types whose values can be awaited and that asynclint treats as tasks.
pub const AWAITABLE_TYPES: &[&str] = &[
    "System.Runtime.CompilerServices.ConfiguredTaskAwaitable",
    "System.Runtime.CompilerServices.ConfiguredValueTaskAwaitable",
    "System.Threading.Tasks.Task",
    "System.Threading.Tasks.ValueTask",
];

/// Methods named `…Async` that return `void` (the event-based async pattern): dropping
/// their result drops nothing. `(type, method)`.
pub const VOID_ASYNC_METHODS: &[(&str, &str)] = &[
    ("System.ComponentModel.BackgroundWorker", "CancelAsync"),
    ("System.ComponentModel.BackgroundWorker", "RunWorkerAsync"),
    ("System.Media.SoundPlayer", "LoadAsync"),
    ("System.Net.Mail.SmtpClient", "SendAsync"),
    ("System.Net.Mail.SmtpClient", "SendAsyncCancel"),
    ("System.Net.NetworkInformation.Ping", "SendAsync"),
    ("System.Net.NetworkInformation.Ping", "SendAsyncCancel"),
    ("System.Net.WebClient", "CancelAsync"),
    ("System.Net.WebClient", "DownloadDataAsync"),
    ("System.Net.WebClient", "DownloadFileAsync"),
    ("System.Net.WebClient", "DownloadStringAsync"),
    ("System.Net.WebClient", "OpenReadAsync"),
    ("System.Net.WebClient", "OpenWriteAsync"),
    ("System.Net.WebClient", "UploadDataAsync"),
    ("System.Net.WebClient", "UploadFileAsync"),
    ("System.Net.WebClient", "UploadStringAsync"),
    ("System.Net.WebClient", "UploadValuesAsync"),
    ("System.Windows.Forms.PictureBox", "CancelAsync"),
    ("System.Windows.Forms.PictureBox", "LoadAsync"),
];

/// `…Async` methods that return no awaitable, whatever the receiver: Moq's setup builders.
pub const NON_AWAITABLE_ASYNC_NAMES: &[(&str, &str)] = &[
    ("Moq.Language.IReturns", "ReturnsAsync"),
    ("Moq.Language.IThrows", "ThrowsAsync"),
];

/// Whether a method of this name is one of the void `…Async` methods above, on any type.
pub fn is_void_async_name(method: &str) -> bool {
    VOID_ASYNC_METHODS.iter().any(|(_, m)| *m == method)
}

/// Whether an `…Async` name never returns an awaitable.
pub fn is_non_awaitable_async_name(method: &str) -> bool {
    NON_AWAITABLE_ASYNC_NAMES.iter().any(|(_, m)| *m == method)
}

/// Static members of `Task` / `ValueTask` and what they return. `completed`: the result is
/// already complete.
pub struct TaskStatic {
    pub type_name: &'static str,
    pub member: &'static str,
    /// `Task`, `Task<?>` (generic, argument unknown), `Task<Task>`, or `-` for not a task.
    pub returns: &'static str,
    pub completed: bool,
}

pub const TASK_STATICS: &[TaskStatic] = &[
    TaskStatic {
        type_name: "System.Threading.Tasks.Task",
        member: "CompletedTask",
        returns: "Task",
        completed: true,
    },
    TaskStatic {
        type_name: "System.Threading.Tasks.Task",
        member: "Delay",
        returns: "Task",
        completed: false,
    },
    TaskStatic {
        type_name: "System.Threading.Tasks.Task",
        member: "FromCanceled",
        returns: "Task",
        completed: true,
    },
    TaskStatic {
        type_name: "System.Threading.Tasks.Task",
        member: "FromException",
        returns: "Task",
        completed: true,
    },
    TaskStatic {
        type_name: "System.Threading.Tasks.Task",
        member: "FromResult",
        returns: "Task<?>",
        completed: true,
    },
    TaskStatic {
        type_name: "System.Threading.Tasks.Task",
        member: "Run",
        returns: "Task?",
        completed: false,
    },
    TaskStatic {
        type_name: "System.Threading.Tasks.Task",
        member: "WhenAll",
        returns: "Task?",
        completed: false,
    },
    TaskStatic {
        type_name: "System.Threading.Tasks.Task",
        member: "WhenAny",
        returns: "Task<Task>",
        completed: false,
    },
    TaskStatic {
        type_name: "System.Threading.Tasks.Task",
        member: "Yield",
        returns: "-",
        completed: false,
    },
    TaskStatic {
        type_name: "System.Threading.Tasks.TaskFactory",
        member: "StartNew",
        returns: "Task?",
        completed: false,
    },
    TaskStatic {
        type_name: "System.Threading.Tasks.ValueTask",
        member: "CompletedTask",
        returns: "ValueTask",
        completed: true,
    },
    TaskStatic {
        type_name: "System.Threading.Tasks.ValueTask",
        member: "FromCanceled",
        returns: "ValueTask",
        completed: true,
    },
    TaskStatic {
        type_name: "System.Threading.Tasks.ValueTask",
        member: "FromException",
        returns: "ValueTask",
        completed: true,
    },
    TaskStatic {
        type_name: "System.Threading.Tasks.ValueTask",
        member: "FromResult",
        returns: "ValueTask<?>",
        completed: true,
    },
];

pub fn task_static(type_simple: &str, member: &str) -> Option<&'static TaskStatic> {
    TASK_STATICS
        .iter()
        .find(|s| simple(s.type_name) == type_simple && s.member == member)
}

/// Members of tasks that tell whether they completed: reading them guards a `.Result`.
pub const COMPLETION_PROPERTIES: &[&str] = &[
    "IsCanceled",
    "IsCompleted",
    "IsCompletedSuccessfully",
    "IsFaulted",
    "Status",
];

/// Blocking APIs that have an async counterpart (ASYNC102's table).
pub struct BlockingApi {
    pub type_name: &'static str,
    pub method: &'static str,
    /// The receiver is the type itself (`File.ReadAllText`), not an instance.
    pub is_static: bool,
    /// The counterpart as written in the fix: a method name on the same receiver, or a
    /// full call like `Task.Delay` for a static replacement.
    pub counterpart: &'static str,
    pub requires: Requires,
}

/// Which frameworks have the counterpart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Requires {
    Any,
    /// .NET Core 2.0+, .NET Standard 2.1.
    AsyncFileApis,
    Net5,
    Net6,
    Net7,
    Net8,
}

impl Requires {
    /// Whether every target framework of the project has the API.
    pub fn available(self, frameworks: &crate::project::Frameworks) -> bool {
        match self {
            Requires::Any => true,
            Requires::AsyncFileApis => frameworks.has_async_file_apis(),
            Requires::Net5 => frameworks.has_net(5),
            Requires::Net6 => frameworks.has_net(6),
            Requires::Net7 => frameworks.has_net(7),
            Requires::Net8 => frameworks.has_net(8),
        }
    }
}

macro_rules! api {
    ($t:literal, $m:literal, static, $c:literal, $r:ident) => {
        BlockingApi {
            type_name: $t,
            method: $m,
            is_static: true,
            counterpart: $c,
            requires: Requires::$r,
        }
    };
    ($t:literal, $m:literal, $c:literal, $r:ident) => {
        BlockingApi {
            type_name: $t,
            method: $m,
            is_static: false,
            counterpart: $c,
            requires: Requires::$r,
        }
    };
}

pub const BLOCKING_APIS: &[BlockingApi] = &[
    api!(
        "Microsoft.EntityFrameworkCore.DbContext",
        "SaveChanges",
        "SaveChangesAsync",
        Any
    ),
    api!(
        "System.Data.Common.DbCommand",
        "ExecuteNonQuery",
        "ExecuteNonQueryAsync",
        Any
    ),
    api!(
        "System.Data.Common.DbCommand",
        "ExecuteReader",
        "ExecuteReaderAsync",
        Any
    ),
    api!(
        "System.Data.Common.DbCommand",
        "ExecuteScalar",
        "ExecuteScalarAsync",
        Any
    ),
    api!("System.Data.Common.DbConnection", "Open", "OpenAsync", Any),
    api!(
        "System.Data.Common.DbDataReader",
        "NextResult",
        "NextResultAsync",
        Any
    ),
    api!("System.Data.Common.DbDataReader", "Read", "ReadAsync", Any),
    api!(
        "System.Diagnostics.Process",
        "WaitForExit",
        "WaitForExitAsync",
        Net5
    ),
    api!(
        "System.IO.File",
        "AppendAllLines",
        static,
        "AppendAllLinesAsync",
        AsyncFileApis
    ),
    api!(
        "System.IO.File",
        "AppendAllText",
        static,
        "AppendAllTextAsync",
        AsyncFileApis
    ),
    api!(
        "System.IO.File",
        "ReadAllBytes",
        static,
        "ReadAllBytesAsync",
        AsyncFileApis
    ),
    api!(
        "System.IO.File",
        "ReadAllLines",
        static,
        "ReadAllLinesAsync",
        AsyncFileApis
    ),
    api!(
        "System.IO.File",
        "ReadAllText",
        static,
        "ReadAllTextAsync",
        AsyncFileApis
    ),
    api!(
        "System.IO.File",
        "WriteAllBytes",
        static,
        "WriteAllBytesAsync",
        AsyncFileApis
    ),
    api!(
        "System.IO.File",
        "WriteAllLines",
        static,
        "WriteAllLinesAsync",
        AsyncFileApis
    ),
    api!(
        "System.IO.File",
        "WriteAllText",
        static,
        "WriteAllTextAsync",
        AsyncFileApis
    ),
    api!("System.IO.Stream", "CopyTo", "CopyToAsync", Any),
    api!("System.IO.Stream", "Flush", "FlushAsync", Any),
    api!("System.IO.Stream", "Read", "ReadAsync", Any),
    api!("System.IO.Stream", "Write", "WriteAsync", Any),
    api!("System.IO.StreamReader", "ReadLine", "ReadLineAsync", Any),
    api!("System.IO.StreamReader", "ReadToEnd", "ReadToEndAsync", Any),
    api!("System.IO.StreamWriter", "Flush", "FlushAsync", Any),
    api!("System.IO.StreamWriter", "Write", "WriteAsync", Any),
    api!("System.IO.StreamWriter", "WriteLine", "WriteLineAsync", Any),
    api!("System.Net.Http.HttpClient", "Send", "SendAsync", Net5),
    api!("System.Threading.SemaphoreSlim", "Wait", "WaitAsync", Any),
    api!(
        "System.Threading.Thread",
        "Sleep",
        static,
        "Task.Delay",
        Any
    ),
];

/// Entity Framework query operators that have a `…Async` counterpart when the query
/// starts at a `DbSet<T>`.
pub const EF_QUERY_OPERATORS: &[&str] = &[
    "All",
    "Any",
    "Average",
    "Count",
    "Find",
    "First",
    "FirstOrDefault",
    "Last",
    "LastOrDefault",
    "LongCount",
    "Max",
    "Min",
    "Single",
    "SingleOrDefault",
    "Sum",
    "ToArray",
    "ToDictionary",
    "ToList",
];

/// Operators that keep an EF query a query (the chain still starts at the `DbSet`).
pub const EF_QUERY_BUILDERS: &[&str] = &[
    "AsNoTracking",
    "AsNoTrackingWithIdentityResolution",
    "AsQueryable",
    "AsSplitQuery",
    "AsTracking",
    "Distinct",
    "FromSql",
    "FromSqlInterpolated",
    "FromSqlRaw",
    "GroupBy",
    "IgnoreQueryFilters",
    "Include",
    "Join",
    "OrderBy",
    "OrderByDescending",
    "Select",
    "SelectMany",
    "Skip",
    "TagWith",
    "Take",
    "ThenBy",
    "ThenByDescending",
    "ThenInclude",
    "Where",
];

/// Concrete classes by the base the blocking table names. A receiver typed with any of
/// these counts as that base. `(base, subclass simple names)`.
pub const SUBTYPES: &[(&str, &[&str])] = &[
    (
        "System.Data.Common.DbCommand",
        &[
            "DbCommand",
            "MySqlCommand",
            "NpgsqlCommand",
            "OracleCommand",
            "SqlCommand",
            "SqliteCommand",
        ],
    ),
    (
        "System.Data.Common.DbConnection",
        &[
            "DbConnection",
            "MySqlConnection",
            "NpgsqlConnection",
            "OracleConnection",
            "SqlConnection",
            "SqliteConnection",
        ],
    ),
    (
        "System.Data.Common.DbDataReader",
        &[
            "DbDataReader",
            "MySqlDataReader",
            "NpgsqlDataReader",
            "OracleDataReader",
            "SqlDataReader",
            "SqliteDataReader",
        ],
    ),
    (
        "System.Data.Common.DbTransaction",
        &[
            "DbTransaction",
            "MySqlTransaction",
            "NpgsqlTransaction",
            "OracleTransaction",
            "SqlTransaction",
            "SqliteTransaction",
        ],
    ),
    (
        "System.IO.Stream",
        &[
            "BrotliStream",
            "BufferedStream",
            "CryptoStream",
            "DeflateStream",
            "FileStream",
            "GZipStream",
            "NamedPipeClientStream",
            "NamedPipeServerStream",
            "NetworkStream",
            "PipeStream",
            "SslStream",
            "Stream",
            "ZLibStream",
        ],
    ),
];

/// Does a receiver typed `simple_name` count as `full_type`?
pub fn is_subtype(simple_name: &str, full_type: &str) -> bool {
    if simple(full_type) == simple_name {
        return true;
    }
    SUBTYPES
        .iter()
        .find(|(base, _)| *base == full_type)
        .is_some_and(|(_, subs)| subs.contains(&simple_name))
}

/// Return types of BCL factory calls that asynclint follows (`conn.CreateCommand()`).
/// `(receiver base, method, returned simple type)`.
pub const FACTORY_RETURNS: &[(&str, &str, &str)] = &[
    (
        "System.Data.Common.DbCommand",
        "ExecuteReader",
        "DbDataReader",
    ),
    (
        "System.Data.Common.DbConnection",
        "BeginTransaction",
        "DbTransaction",
    ),
    (
        "System.Data.Common.DbConnection",
        "CreateCommand",
        "DbCommand",
    ),
    ("System.IO.File", "Create", "FileStream"),
    ("System.IO.File", "Open", "FileStream"),
    ("System.IO.File", "OpenRead", "FileStream"),
    ("System.IO.File", "OpenText", "StreamReader"),
    ("System.IO.File", "OpenWrite", "FileStream"),
];

/// How an API accepts a `CancellationToken`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenParam {
    /// An optional trailing parameter: `ToListAsync(ct)`.
    Optional,
    /// An overload with one more trailing parameter: `Task.Delay(ms, ct)`.
    TrailingOverload,
}

/// APIs that can take a `CancellationToken`, and the framework that added the way to pass
/// it. `(type, method, how, requires)`.
pub const CANCELLABLE_APIS: &[(&str, &str, TokenParam, Requires)] = &[
    (
        "Microsoft.EntityFrameworkCore.DbContext",
        "AddAsync",
        TokenParam::Optional,
        Requires::Any,
    ),
    (
        "Microsoft.EntityFrameworkCore.DbContext",
        "SaveChangesAsync",
        TokenParam::Optional,
        Requires::Any,
    ),
    (
        "Microsoft.EntityFrameworkCore.DbSet",
        "AddAsync",
        TokenParam::Optional,
        Requires::Any,
    ),
    (
        "Microsoft.EntityFrameworkCore.DbSet",
        "FindAsync",
        TokenParam::TrailingOverload,
        Requires::Any,
    ),
    (
        "Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions",
        "AnyAsync",
        TokenParam::Optional,
        Requires::Any,
    ),
    (
        "Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions",
        "CountAsync",
        TokenParam::Optional,
        Requires::Any,
    ),
    (
        "Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions",
        "FirstAsync",
        TokenParam::Optional,
        Requires::Any,
    ),
    (
        "Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions",
        "FirstOrDefaultAsync",
        TokenParam::Optional,
        Requires::Any,
    ),
    (
        "Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions",
        "SingleAsync",
        TokenParam::Optional,
        Requires::Any,
    ),
    (
        "Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions",
        "SingleOrDefaultAsync",
        TokenParam::Optional,
        Requires::Any,
    ),
    (
        "Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions",
        "ToArrayAsync",
        TokenParam::Optional,
        Requires::Any,
    ),
    (
        "Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions",
        "ToListAsync",
        TokenParam::Optional,
        Requires::Any,
    ),
    (
        "Microsoft.EntityFrameworkCore.IDbContextFactory",
        "CreateDbContextAsync",
        TokenParam::Optional,
        Requires::Any,
    ),
    (
        "Microsoft.EntityFrameworkCore.Infrastructure.DatabaseFacade",
        "BeginTransactionAsync",
        TokenParam::Optional,
        Requires::Any,
    ),
    (
        "Microsoft.EntityFrameworkCore.Infrastructure.DatabaseFacade",
        "EnsureCreatedAsync",
        TokenParam::Optional,
        Requires::Any,
    ),
    (
        "Microsoft.EntityFrameworkCore.Infrastructure.DatabaseFacade",
        "EnsureDeletedAsync",
        TokenParam::Optional,
        Requires::Any,
    ),
    (
        "Microsoft.EntityFrameworkCore.Infrastructure.DatabaseFacade",
        "MigrateAsync",
        TokenParam::Optional,
        Requires::Any,
    ),
    (
        "Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction",
        "CommitAsync",
        TokenParam::Optional,
        Requires::Any,
    ),
    (
        "Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction",
        "RollbackAsync",
        TokenParam::Optional,
        Requires::Any,
    ),
    (
        "System.Data.Common.DbCommand",
        "ExecuteNonQueryAsync",
        TokenParam::TrailingOverload,
        Requires::Any,
    ),
    (
        "System.Data.Common.DbCommand",
        "ExecuteReaderAsync",
        TokenParam::TrailingOverload,
        Requires::Any,
    ),
    (
        "System.Data.Common.DbCommand",
        "ExecuteScalarAsync",
        TokenParam::TrailingOverload,
        Requires::Any,
    ),
    (
        "System.Data.Common.DbConnection",
        "BeginTransactionAsync",
        TokenParam::Optional,
        Requires::AsyncFileApis,
    ),
    (
        "System.Data.Common.DbConnection",
        "OpenAsync",
        TokenParam::TrailingOverload,
        Requires::Any,
    ),
    (
        "System.Data.Common.DbDataReader",
        "NextResultAsync",
        TokenParam::TrailingOverload,
        Requires::Any,
    ),
    (
        "System.Data.Common.DbDataReader",
        "ReadAsync",
        TokenParam::TrailingOverload,
        Requires::Any,
    ),
    (
        "System.Data.Common.DbTransaction",
        "CommitAsync",
        TokenParam::Optional,
        Requires::AsyncFileApis,
    ),
    (
        "System.Data.Common.DbTransaction",
        "RollbackAsync",
        TokenParam::Optional,
        Requires::AsyncFileApis,
    ),
    (
        "System.Diagnostics.Process",
        "WaitForExitAsync",
        TokenParam::Optional,
        Requires::Net5,
    ),
    (
        "System.IO.File",
        "ReadAllBytesAsync",
        TokenParam::Optional,
        Requires::AsyncFileApis,
    ),
    (
        "System.IO.File",
        "ReadAllLinesAsync",
        TokenParam::Optional,
        Requires::AsyncFileApis,
    ),
    (
        "System.IO.File",
        "ReadAllTextAsync",
        TokenParam::Optional,
        Requires::AsyncFileApis,
    ),
    (
        "System.IO.File",
        "WriteAllBytesAsync",
        TokenParam::Optional,
        Requires::AsyncFileApis,
    ),
    (
        "System.IO.File",
        "WriteAllLinesAsync",
        TokenParam::Optional,
        Requires::AsyncFileApis,
    ),
    (
        "System.IO.File",
        "WriteAllTextAsync",
        TokenParam::Optional,
        Requires::AsyncFileApis,
    ),
    (
        "System.IO.Stream",
        "CopyToAsync",
        TokenParam::TrailingOverload,
        Requires::Any,
    ),
    (
        "System.IO.Stream",
        "FlushAsync",
        TokenParam::TrailingOverload,
        Requires::Any,
    ),
    (
        "System.IO.Stream",
        "ReadAsync",
        TokenParam::TrailingOverload,
        Requires::Any,
    ),
    (
        "System.IO.Stream",
        "ReadExactlyAsync",
        TokenParam::Optional,
        Requires::Net7,
    ),
    (
        "System.IO.Stream",
        "WriteAsync",
        TokenParam::TrailingOverload,
        Requires::Any,
    ),
    (
        "System.IO.StreamReader",
        "ReadLineAsync",
        TokenParam::TrailingOverload,
        Requires::Net7,
    ),
    (
        "System.IO.StreamReader",
        "ReadToEndAsync",
        TokenParam::TrailingOverload,
        Requires::Net7,
    ),
    (
        "System.Net.Http.HttpClient",
        "DeleteAsync",
        TokenParam::TrailingOverload,
        Requires::Any,
    ),
    (
        "System.Net.Http.HttpClient",
        "GetAsync",
        TokenParam::TrailingOverload,
        Requires::Any,
    ),
    (
        "System.Net.Http.HttpClient",
        "GetByteArrayAsync",
        TokenParam::TrailingOverload,
        Requires::Net5,
    ),
    (
        "System.Net.Http.HttpClient",
        "GetStreamAsync",
        TokenParam::TrailingOverload,
        Requires::Net5,
    ),
    (
        "System.Net.Http.HttpClient",
        "GetStringAsync",
        TokenParam::TrailingOverload,
        Requires::Net5,
    ),
    (
        "System.Net.Http.HttpClient",
        "PostAsync",
        TokenParam::TrailingOverload,
        Requires::Any,
    ),
    (
        "System.Net.Http.HttpClient",
        "PutAsync",
        TokenParam::TrailingOverload,
        Requires::Any,
    ),
    (
        "System.Net.Http.HttpClient",
        "SendAsync",
        TokenParam::TrailingOverload,
        Requires::Any,
    ),
    (
        "System.Net.Http.HttpContent",
        "ReadAsByteArrayAsync",
        TokenParam::TrailingOverload,
        Requires::Net5,
    ),
    (
        "System.Net.Http.HttpContent",
        "ReadAsStreamAsync",
        TokenParam::TrailingOverload,
        Requires::Net5,
    ),
    (
        "System.Net.Http.HttpContent",
        "ReadAsStringAsync",
        TokenParam::TrailingOverload,
        Requires::Net5,
    ),
    (
        "System.Text.Json.JsonSerializer",
        "DeserializeAsync",
        TokenParam::Optional,
        Requires::Any,
    ),
    (
        "System.Text.Json.JsonSerializer",
        "SerializeAsync",
        TokenParam::Optional,
        Requires::Any,
    ),
    (
        "System.Threading.Channels.ChannelReader",
        "ReadAllAsync",
        TokenParam::Optional,
        Requires::Any,
    ),
    (
        "System.Threading.Channels.ChannelReader",
        "ReadAsync",
        TokenParam::Optional,
        Requires::Any,
    ),
    (
        "System.Threading.Channels.ChannelReader",
        "WaitToReadAsync",
        TokenParam::Optional,
        Requires::Any,
    ),
    (
        "System.Threading.Channels.ChannelWriter",
        "WaitToWriteAsync",
        TokenParam::Optional,
        Requires::Any,
    ),
    (
        "System.Threading.Channels.ChannelWriter",
        "WriteAsync",
        TokenParam::Optional,
        Requires::Any,
    ),
    (
        "System.Threading.SemaphoreSlim",
        "WaitAsync",
        TokenParam::TrailingOverload,
        Requires::Any,
    ),
    (
        "System.Threading.Tasks.Task",
        "Delay",
        TokenParam::TrailingOverload,
        Requires::Any,
    ),
    (
        "System.Threading.Tasks.Task",
        "WaitAsync",
        TokenParam::TrailingOverload,
        Requires::Net6,
    ),
];

/// Framework base classes by role. `(role, full type name)`: `ui` classes own a UI thread
/// (ASYNC302), `dbcontext` is Entity Framework's unit of work (ASYNC602), `hosted` runs in
/// the generic host (ASYNC607).
pub const FRAMEWORK_TYPES: &[(&str, &str)] = &[
    (
        "dbcontext",
        "Microsoft.AspNetCore.Identity.EntityFrameworkCore.IdentityDbContext",
    ),
    ("dbcontext", "Microsoft.EntityFrameworkCore.DbContext"),
    ("dbcontext", "System.Data.Entity.DbContext"),
    ("dbset", "Microsoft.EntityFrameworkCore.DbSet"),
    ("dbset", "System.Data.Entity.DbSet"),
    ("hosted", "Microsoft.Extensions.Hosting.BackgroundService"),
    ("hosted", "Microsoft.Extensions.Hosting.IHostedService"),
    ("ui", "Avalonia.Controls.UserControl"),
    ("ui", "Avalonia.Controls.Window"),
    ("ui", "Microsoft.Maui.Controls.ContentPage"),
    ("ui", "Microsoft.Maui.Controls.ContentView"),
    ("ui", "Microsoft.UI.Xaml.Controls.Page"),
    ("ui", "Microsoft.UI.Xaml.Controls.UserControl"),
    ("ui", "Microsoft.UI.Xaml.Window"),
    ("ui", "System.Windows.Controls.Page"),
    ("ui", "System.Windows.Controls.UserControl"),
    ("ui", "System.Windows.Forms.Control"),
    ("ui", "System.Windows.Forms.Form"),
    ("ui", "System.Windows.Forms.UserControl"),
    ("ui", "System.Windows.Window"),
    ("ui", "Xamarin.Forms.ContentPage"),
    ("ui", "Xamarin.Forms.ContentView"),
];

/// Framework types that implement `IAsyncDisposable` (`await using` applies to them), by
/// the base the subclasses table knows.
pub const ASYNC_DISPOSABLE_TYPES: &[&str] = &[
    "Microsoft.EntityFrameworkCore.DbContext",
    "System.Data.Common.DbCommand",
    "System.Data.Common.DbConnection",
    "System.Data.Common.DbDataReader",
    "System.Data.Common.DbTransaction",
    "System.IO.FileStream",
    "System.IO.Stream",
    "System.IO.StreamWriter",
    "System.Text.Json.Utf8JsonWriter",
];

/// Whether a simple type name is a framework type of this role (`ui`, `dbcontext`, …).
pub fn is_framework_type(role: &str, simple_name: &str) -> bool {
    FRAMEWORK_TYPES
        .iter()
        .any(|(r, t)| *r == role && simple(t) == simple_name)
}

/// The last dotted segment of a full name.
pub fn simple(full: &str) -> &str {
    full.rsplit('.').next().unwrap_or(full)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_sorted_unique<T: Ord + std::fmt::Debug>(items: &[T], what: &str) {
        for w in items.windows(2) {
            assert!(
                w[0] < w[1],
                "{what} not sorted or has duplicates: {:?} then {:?}",
                w[0],
                w[1]
            );
        }
    }

    #[test]
    fn tables_are_sorted_and_unique() {
        assert_sorted_unique(AWAITABLE_TYPES, "AWAITABLE_TYPES");
        assert_sorted_unique(VOID_ASYNC_METHODS, "VOID_ASYNC_METHODS");
        assert_sorted_unique(NON_AWAITABLE_ASYNC_NAMES, "NON_AWAITABLE_ASYNC_NAMES");
        let statics: Vec<_> = TASK_STATICS
            .iter()
            .map(|s| (s.type_name, s.member))
            .collect();
        assert_sorted_unique(&statics, "TASK_STATICS");
        let blocking: Vec<_> = BLOCKING_APIS
            .iter()
            .map(|b| (b.type_name, b.method))
            .collect();
        assert_sorted_unique(&blocking, "BLOCKING_APIS");
        assert_sorted_unique(EF_QUERY_OPERATORS, "EF_QUERY_OPERATORS");
        assert_sorted_unique(EF_QUERY_BUILDERS, "EF_QUERY_BUILDERS");
        let subs: Vec<_> = SUBTYPES.iter().map(|s| s.0).collect();
        assert_sorted_unique(&subs, "SUBTYPES");
        for (_, list) in SUBTYPES {
            assert_sorted_unique(list, "SUBTYPES entry");
        }
        assert_sorted_unique(FACTORY_RETURNS, "FACTORY_RETURNS");
        assert_sorted_unique(COMPLETION_PROPERTIES, "COMPLETION_PROPERTIES");
        let cancellable: Vec<_> = CANCELLABLE_APIS.iter().map(|c| (c.0, c.1)).collect();
        assert_sorted_unique(&cancellable, "CANCELLABLE_APIS");
        assert_sorted_unique(FRAMEWORK_TYPES, "FRAMEWORK_TYPES");
        assert_sorted_unique(ASYNC_DISPOSABLE_TYPES, "ASYNC_DISPOSABLE_TYPES");
    }

    #[test]
    fn names_are_full() {
        for t in AWAITABLE_TYPES {
            assert!(t.starts_with("System."), "{t}");
        }
        for b in BLOCKING_APIS {
            assert!(b.type_name.contains('.'), "{}", b.type_name);
        }
        for (t, _, _, _) in CANCELLABLE_APIS {
            assert!(t.contains('.'), "{t}");
        }
        for (_, t) in FRAMEWORK_TYPES {
            assert!(t.contains('.'), "{t}");
        }
        assert!(is_framework_type("ui", "Form"));
        assert!(!is_framework_type("ui", "Forms"));
    }
}

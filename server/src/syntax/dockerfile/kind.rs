//! The kinds of tokens and nodes in a Dockerfile syntax tree.

/// Every element of the tree has a kind. Tokens are leaves that cover source bytes; nodes
/// group tokens and other nodes. Concatenating all tokens in order gives the input back.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
#[repr(u8)]
pub enum SyntaxKind {
    // ---- Trivia: not part of an instruction's logical line ----
    /// The UTF-8 byte-order mark at the very start of the file.
    Bom,
    /// `\n`, `\r\n` (any trailing `\r`s before the `\n` are part of it).
    Newline,
    /// Whitespace at the start of a line that BuildKit drops: before a keyword, a comment,
    /// or on a blank line inside a continuation.
    Indent,
    /// The escape character ending a line plus any spaces or tabs after it.
    LineContinuation,
    /// A comment: `#` to the end of the line.
    Comment,

    // ---- Tokens that are part of the logical line ----
    /// Spaces and tabs between words (kept in the logical line).
    Whitespace,
    /// The instruction name, in whatever case it was written.
    Keyword,
    /// A flag's name including its dashes: `--from`.
    FlagName,
    /// `=` between a flag, key or directive name and its value.
    Equals,
    /// A flag's value, quotes included as written.
    FlagValue,
    /// `--` alone, which ends the flags.
    FlagTerminator,
    /// Text of a word or of a shell command.
    Text,
    /// `AS` in `FROM image AS name` (any case).
    AsKeyword,
    /// A build stage's name after `AS`.
    StageName,
    /// Image reference parts, in `FROM`.
    ImageRegistry,
    ImageName,
    /// The `:` before a tag or the `@` before a digest.
    ImageSeparator,
    ImageTag,
    ImageDigest,
    /// The key in `KEY=value` or `KEY value` (ENV, LABEL, ARG).
    Key,
    /// The value in `KEY=value` or `KEY value`, quotes included as written.
    Value,
    /// JSON-form punctuation and strings.
    LBracket,
    RBracket,
    Comma,
    JsonString,
    /// `<<EOF`, `<<-EOF`, `<<'EOF'`, `3<<EOF` in a RUN, COPY or ADD line.
    HeredocMarker,
    /// The lines of a heredoc, up to (not including) its terminator line.
    HeredocBody,
    /// The heredoc's terminator line.
    HeredocEnd,
    /// Parser directive parts: `#`, the name (`syntax`, `escape`, `check`), its value.
    DirectiveHash,
    DirectiveName,
    DirectiveValue,

    // ---- Nodes ----
    /// The whole file.
    File,
    /// `# escape=\``, `# syntax=...`, `# check=...` at the top of the file.
    Directive,
    /// An instruction; `Instruction(kind)` says which.
    Instruction(InstructionKind),
    /// `--name[=value]` at the start of an instruction's arguments.
    Flag,
    /// A whitespace-separated argument (quotes group words, as BuildKit reads them).
    Word,
    /// A `FROM` image reference (a word with image parts as tokens).
    ImageRef,
    /// `AS name` in FROM.
    StageAlias,
    /// `KEY=value` or the legacy `KEY value` in ENV, LABEL and ARG.
    KeyValue,
    /// `[ "a", "b" ]`: the exec (JSON) form.
    JsonArray,
    /// The shell form of RUN, CMD, ENTRYPOINT, SHELL and HEALTHCHECK CMD.
    ShellCommand,
    /// A heredoc's body and terminator, after the instruction's line.
    Heredoc,
}

impl SyntaxKind {
    /// True for leaves.
    pub const fn is_token(self) -> bool {
        !self.is_node()
    }

    pub const fn is_node(self) -> bool {
        matches!(
            self,
            SyntaxKind::File
                | SyntaxKind::Directive
                | SyntaxKind::Instruction(_)
                | SyntaxKind::Flag
                | SyntaxKind::Word
                | SyntaxKind::ImageRef
                | SyntaxKind::StageAlias
                | SyntaxKind::KeyValue
                | SyntaxKind::JsonArray
                | SyntaxKind::ShellCommand
                | SyntaxKind::Heredoc
        )
    }

    /// Tokens that are not part of an instruction's logical line: BuildKit removes them when
    /// it joins continuation lines. Heredoc bodies are kept apart from the line too.
    pub const fn is_line_trivia(self) -> bool {
        matches!(
            self,
            SyntaxKind::Bom
                | SyntaxKind::Newline
                | SyntaxKind::Indent
                | SyntaxKind::LineContinuation
                | SyntaxKind::Comment
                | SyntaxKind::HeredocBody
                | SyntaxKind::HeredocEnd
        )
    }
}

/// The Dockerfile instructions, plus `Unknown` for a word that is none of them.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum InstructionKind {
    Add,
    Arg,
    Cmd,
    Copy,
    Entrypoint,
    Env,
    Expose,
    From,
    Healthcheck,
    Label,
    Maintainer,
    Onbuild,
    Run,
    Shell,
    Stopsignal,
    User,
    Volume,
    Workdir,
    Unknown,
}

impl InstructionKind {
    /// Every known instruction, in alphabetical order.
    pub const ALL: [InstructionKind; 18] = [
        InstructionKind::Add,
        InstructionKind::Arg,
        InstructionKind::Cmd,
        InstructionKind::Copy,
        InstructionKind::Entrypoint,
        InstructionKind::Env,
        InstructionKind::Expose,
        InstructionKind::From,
        InstructionKind::Healthcheck,
        InstructionKind::Label,
        InstructionKind::Maintainer,
        InstructionKind::Onbuild,
        InstructionKind::Run,
        InstructionKind::Shell,
        InstructionKind::Stopsignal,
        InstructionKind::User,
        InstructionKind::Volume,
        InstructionKind::Workdir,
    ];

    /// The keyword in upper case; `None` for `Unknown`.
    pub const fn name(self) -> Option<&'static str> {
        Some(match self {
            InstructionKind::Add => "ADD",
            InstructionKind::Arg => "ARG",
            InstructionKind::Cmd => "CMD",
            InstructionKind::Copy => "COPY",
            InstructionKind::Entrypoint => "ENTRYPOINT",
            InstructionKind::Env => "ENV",
            InstructionKind::Expose => "EXPOSE",
            InstructionKind::From => "FROM",
            InstructionKind::Healthcheck => "HEALTHCHECK",
            InstructionKind::Label => "LABEL",
            InstructionKind::Maintainer => "MAINTAINER",
            InstructionKind::Onbuild => "ONBUILD",
            InstructionKind::Run => "RUN",
            InstructionKind::Shell => "SHELL",
            InstructionKind::Stopsignal => "STOPSIGNAL",
            InstructionKind::User => "USER",
            InstructionKind::Volume => "VOLUME",
            InstructionKind::Workdir => "WORKDIR",
            InstructionKind::Unknown => return None,
        })
    }

    /// Looks a keyword up, ignoring case as BuildKit does.
    pub fn from_keyword(word: &str) -> InstructionKind {
        // Keywords are 3 to 11 ASCII letters; compare without allocating.
        if !(3..=11).contains(&word.len()) {
            return InstructionKind::Unknown;
        }
        for kind in Self::ALL {
            if let Some(name) = kind.name()
                && name.eq_ignore_ascii_case(word)
            {
                return kind;
            }
        }
        InstructionKind::Unknown
    }

    /// RUN, COPY and ADD may carry heredocs (in shell form).
    pub const fn allows_heredocs(self) -> bool {
        matches!(
            self,
            InstructionKind::Run | InstructionKind::Copy | InstructionKind::Add
        )
    }
}

;;; test.el --- dockwise through eglot, in batch mode  -*- lexical-binding: t -*-
;;
;; emacs --batch -l tests/editors/emacs/test.el   (no -Q: Debian sets up its elpa-* packages in site-start)
;;
;; Environment (run.sh sets it): DOCKWISE_WS (a scratch workspace holding the fixtures and a
;; .git folder), DOCKWISE_BIN (the server), DOCKWISE_TIMEOUT (ms per wait, default 10000).
;; Uses the set-up editors/README.md recommends: `eglot-server-programs' entries (one per
;; mode before Emacs 29, one for both after) and `eglot-ensure' on the modes' hooks. Exits 0
;; only if every check passed.

;; Emacs 30 compiles a native trampoline when a test stands in for a primitive such as
;; `completing-read', by running another emacs; the one under test may live outside the
;; system's paths (tests/editors/install.sh's Emacs 30), so keep it to byte code.
(when (boundp 'native-comp-enable-subr-trampolines)
  (setq native-comp-enable-subr-trampolines nil))
(require 'package)
;; Debian's elpa-* packages are on load-path through site-start already; this finds eglot
;; when it came from an ELPA archive instead.
(package-initialize)
(require 'cl-lib)
(require 'eglot)
(require 'flymake)

(defvar dockwise-test-passed 0)
(defvar dockwise-test-failed 0)

(defun dockwise-test-out (fmt &rest args)
  (princ (concat (apply #'format fmt args) "\n")))

(defun dockwise-test-check (ok what &optional detail)
  (if ok
      (progn (setq dockwise-test-passed (1+ dockwise-test-passed))
             (dockwise-test-out "PASS %s" what))
    (setq dockwise-test-failed (1+ dockwise-test-failed))
    (dockwise-test-out "FAIL %s%s" what (if detail (format ": %s" detail) "")))
  ok)

(defvar dockwise-test-timeout
  (/ (string-to-number (or (getenv "DOCKWISE_TIMEOUT") "10000")) 1000.0))

(defun dockwise-test-wait (pred)
  "Let the server's messages in until PRED holds or the time is up."
  (let ((deadline (+ (float-time) dockwise-test-timeout)))
    (while (and (not (funcall pred)) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (funcall pred)))

(defun dockwise-test-code (diag)
  "The LSP code of flymake diagnostic DIAG, as eglot keeps it."
  (let ((lsp (cdr (assoc 'eglot-lsp-diag (eglot--diag-data diag)))))
    (plist-get lsp :code)))

(defun dockwise-test-diags (code)
  (cl-remove-if-not (lambda (d) (equal (dockwise-test-code d) code))
                    (flymake-diagnostics)))

(defun dockwise-test-run ()
  (let* ((ws (file-name-as-directory (getenv "DOCKWISE_WS")))
         (bin (getenv "DOCKWISE_BIN")))
    ;; project.el records known projects under user-emacs-directory: keep it in the workspace.
    (setq user-emacs-directory (expand-file-name ".home/emacs.d/" ws)
          project-list-file (expand-file-name "projects" user-emacs-directory))
    ;; An Emacs that does not read Debian's site-start (the Emacs 30 of install.sh) still
    ;; finds the modes' sources that Debian's elpa-* packages installed.
    (dolist (dir (file-expand-wildcards "/usr/share/emacs/site-lisp/elpa-src/*-mode-*"))
      (unless (locate-library (file-name-nondirectory (replace-regexp-in-string "-[0-9.]+\\'" "" dir)))
        (add-to-list 'load-path dir t)))
    (unless (require 'dockerfile-mode nil t)
      (dockwise-test-out "INFO dockerfile-mode is not installed; using a stand-in mode")
      (define-derived-mode dockerfile-mode prog-mode "Dockerfile"))
    (unless (require 'yaml-mode nil t)
      (dockwise-test-out "INFO yaml-mode is not installed; compose files use a stand-in mode")
      (define-derived-mode yaml-mode text-mode "YAML"))
    ;; The configuration editors/README.md recommends, with the binary under test: a mode for
    ;; compose files, announced to the server as `dockercompose'. Each mode has its own entry
    ;; because eglot 1.9 keeps one language id per server (newer eglot keeps one per mode).
    (define-derived-mode dockwise-compose-mode yaml-mode "Compose")
    (add-to-list 'auto-mode-alist
                 '("\\(?:\\`\\|/\\)\\(?:[Dd]ockerfile\\|[Cc]ontainerfile\\)\\(?:\\.[^/]*\\)?\\'"
                   . dockerfile-mode))
    (add-to-list 'auto-mode-alist '("\\.\\(?:[Dd]ockerfile\\|[Cc]ontainerfile\\)\\'" . dockerfile-mode))
    (add-to-list 'auto-mode-alist
                 '("\\(?:\\`\\|/\\)\\(?:docker-\\)?compose\\(?:[-._][^/]*\\)?\\.ya?ml\\'"
                   . dockwise-compose-mode))
    (if (version< emacs-version "29")
        ;; eglot 1.9 keeps one language id per server: one entry per mode.
        (progn
          (add-to-list 'eglot-server-programs `(dockerfile-mode . (,bin "lsp")))
          (add-to-list 'eglot-server-programs
                       `((dockwise-compose-mode :language-id "dockercompose") . (,bin "lsp"))))
      ;; The eglot of Emacs 29 and later keeps one per mode: one entry, one server.
      (add-to-list 'eglot-server-programs
                   `(((dockerfile-mode :language-id "dockerfile")
                      (dockwise-compose-mode :language-id "dockercompose"))
                     . (,bin "lsp"))))
    (add-hook 'dockerfile-mode-hook #'eglot-ensure)
    (add-hook 'dockwise-compose-mode-hook #'eglot-ensure)
    ;; Settings as editors/README.md shows them: answered to the server's
    ;; workspace/configuration request for section `dockwise'.
    (setq-default eglot-workspace-configuration '(:dockwise (:ignore ["DF080"])))
    (setq eglot-sync-connect t)
    (when (boundp 'eglot-confirm-server-initiated-edits)
      (setq eglot-confirm-server-initiated-edits nil))

    (find-file (expand-file-name "Dockerfile" ws))
    (dockwise-test-check (eq major-mode 'dockerfile-mode) "Dockerfile opens in dockerfile-mode"
                         major-mode)
    ;; eglot-ensure connects from post-command-hook, which only the command loop runs.
    (run-hooks 'post-command-hook)
    (let ((t0 (float-time)))
      (unless (dockwise-test-check
               (dockwise-test-wait (lambda () (and (eglot-current-server) eglot--managed-mode)))
               "eglot connected to dockwise")
        (error "no server"))
      (dockwise-test-out "INFO connected after %d ms" (* 1000 (- (float-time) t0))))
    (let ((server (eglot-current-server)))
      (dockwise-test-check
       (dockwise-test-wait (lambda () (dockwise-test-diags "DF006")))
       "DF006 diagnostic via flymake")
      (dockwise-test-check (null (dockwise-test-diags "DF080"))
                           "settings reached the server (DF080 ignored)")
      (dolist (d (flymake-diagnostics))
        (dockwise-test-out "DIAG line %d %s %s: %s"
                           (line-number-at-pos (flymake-diagnostic-beg d))
                           (dockwise-test-code d)
                           (flymake-diagnostic-type d)
                           (flymake-diagnostic-text d)))

      (goto-char (point-min))
      (forward-char 1)
      (let* ((hover (jsonrpc-request server :textDocument/hover
                                     (eglot--TextDocumentPositionParams)))
             (contents (plist-get hover :contents))
             (text (cond ((stringp contents) contents)
                         ((plist-get contents :value))
                         (t (format "%S" contents)))))
        (dockwise-test-out "HOVER %s" (car (split-string (or text "") "\n")))
        (dockwise-test-check (and text (string-match-p "FROM" text)) "hover on FROM describes FROM"))

      (let ((diag (car (dockwise-test-diags "DF006")))
            (titles nil))
        (when diag
          (goto-char (flymake-diagnostic-beg diag))
          ;; eglot's own menu, answered with the rule's fix rather than "Ignore ...".
          ;; A non-list last-nonmenu-event makes eglot ask through completing-read.
          (let ((last-nonmenu-event 13))
            (cl-letf (((symbol-function 'completing-read)
                       (lambda (_prompt collection &rest _)
                         (setq titles (mapcar #'car collection))
                         (cl-find-if-not (lambda (title) (string-match-p "Ignore" title))
                                         titles))))
              (eglot-code-actions (line-beginning-position) (line-end-position) "quickfix" t)))
          (dockwise-test-out "ACTIONS %s" (mapconcat #'identity titles " | "))
          (let ((line (save-excursion
                        (goto-char (point-min)) (forward-line 1)
                        (buffer-substring-no-properties (line-beginning-position)
                                                        (line-end-position)))))
            (dockwise-test-out "LINE %s" line)
            (dockwise-test-check (equal line "RUN echo hello")
                                 "quick fix upper-cased the keyword" line))
          (dockwise-test-check
           (dockwise-test-wait (lambda () (null (dockwise-test-diags "DF006"))))
           "DF006 gone after the fix")))

      (find-file (expand-file-name "compose.yaml" ws))
      (dockwise-test-check (eq major-mode 'dockwise-compose-mode)
                           "compose.yaml opens in dockwise-compose-mode" major-mode)
      (run-hooks 'post-command-hook)
      (dockwise-test-check (dockwise-test-wait (lambda () (and (eglot-current-server) eglot--managed-mode)))
                           "eglot connected to dockwise for compose.yaml")
      ;; Flymake's first check waits for the editor to be idle, which batch mode never
      ;; is; joining a running server (the one-entry set-up of Emacs 29+) relies on it.
      (flymake-start)
      (dockwise-test-check (dockwise-test-wait (lambda () (dockwise-test-diags "CP018")))
                           "CP018 diagnostic on the unquoted port")
      (unless (version< emacs-version "29")
        (dockwise-test-check (eq (eglot-current-server) server)
                             "one dockwise server for the Dockerfile and compose.yaml"))
      (dolist (d (flymake-diagnostics))
        (dockwise-test-out "DIAG compose line %d %s" (line-number-at-pos (flymake-diagnostic-beg d))
                           (dockwise-test-code d)))
      (when (eglot-current-server)
        (eglot-shutdown (eglot-current-server)))
      ;; From a buffer it manages: before `shutdown' eglot flushes the current buffer's
      ;; pending changes, which Emacs 30's eglot asserts belong to the same server.
      (when (jsonrpc-running-p server)
        (with-current-buffer (find-buffer-visiting (expand-file-name "Dockerfile" ws))
          (eglot-shutdown server))))))

(condition-case err
    (dockwise-test-run)
  (error (dockwise-test-check nil "harness error" (error-message-string err))))
(dockwise-test-out "summary passed=%d failed=%d" dockwise-test-passed dockwise-test-failed)
(kill-emacs (if (= dockwise-test-failed 0) 0 1))

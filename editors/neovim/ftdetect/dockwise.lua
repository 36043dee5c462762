-- Sourced by Neovim's filetype detection when this folder is on 'runtimepath', so Dockerfile
-- and compose names are known even if setup() is never called (e.g. with vim.lsp.enable).
require('dockwise.filetype').register()

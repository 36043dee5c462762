-- Found on 'runtimepath' by Neovim 0.11+, so that `vim.lsp.enable('dockwise')` works without
-- calling setup(). Options given to vim.lsp.config('dockwise', {...}) are laid over this.
return require('dockwise').config()

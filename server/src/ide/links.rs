//! Document links: FROM images to their registry pages, COPY/ADD sources to files.

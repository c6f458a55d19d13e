"""The generator of the bundled demo site (``crawler/demo/site/``): kept out of the runtime
package because nothing at run time needs it. Run ``python -m tools.demo_site.build``."""
